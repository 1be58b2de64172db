"""Editors publish pages themselves: no approval workflow waits for a group nobody is in."""

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from wagtail.models import Workflow, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import ContentPage
from core.roles import Role
from recruiting.tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(site):
    call_command("setup", verbosity=0)
    return make_staff("eunji", Role.EDITOR)


def _edit_data(page: ContentPage, **fields) -> dict:
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "intro": page.intro,
            "body": streamfield([]),
            "comments": inline_formset([]),
            **fields,
        }
    )


def test_it_leaves_no_approval_workflow_on_the_page_tree(editor, site):
    assert site["content"].get_workflow() is None
    assert not Workflow.objects.filter(active=True).exists()


def test_an_editor_publishes_a_page_with_the_main_button(client, editor, site):
    page = site["content"]
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = client.get(edit_url).content.decode()
    assert 'name="action-publish"' in form
    assert 'name="action-submit"' not in form

    response = client.post(edit_url, _edit_data(page, intro="개정된 소개", **{"action-publish": "action-publish"}))

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.intro == "개정된 소개"
    assert not page.has_unpublished_changes
    assert not page.locked
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()


def test_setup_releases_a_page_that_waited_for_approval(client, site, roles):
    page = site["content"]
    workflow = page.get_workflow()
    assert workflow is not None, "Wagtail installs its default approval workflow"
    submitter = make_staff("eunji", Role.EDITOR)
    workflow.start(page, submitter)
    assert page.workflow_in_progress

    call_command("setup", verbosity=0)
    call_command("setup", verbosity=0)

    page.refresh_from_db()
    assert not page.workflow_in_progress
    assert page.get_workflow() is None


def test_the_korean_notification_subjects_say_what_happened(site):
    page = site["content"]
    context = {"page": page, "workflow": Workflow(name="검토"), "task": Workflow(name="편집장 검토")}
    with translation.override("ko"):
        subject = {
            name: " ".join(render_to_string(f"wagtailadmin/notifications/{name}_subject.txt", context).split())
            for name in (
                "workflow_state_submitted",
                "task_state_submitted",
                "workflow_state_approved",
                "task_state_approved",
                "workflow_state_rejected",
                "task_state_rejected",
            )
        }
    assert subject["workflow_state_submitted"] == '"개인정보처리방침" 페이지를 "검토" 워크플로에 제출했습니다'
    assert subject["task_state_submitted"] == '"개인정보처리방침" 페이지가 "편집장 검토" 단계의 승인을 기다립니다'
    assert subject["workflow_state_approved"] == '"개인정보처리방침" 페이지가 "검토" 워크플로에서 승인되었습니다.'
    assert subject["task_state_approved"] == '"개인정보처리방침" 페이지가 "편집장 검토" 단계에서 승인되었습니다.'
    assert subject["workflow_state_rejected"] == '"개인정보처리방침" 페이지가 "검토" 워크플로에서 반려되었습니다.'
    assert subject["task_state_rejected"] == '"개인정보처리방침" 페이지가 "편집장 검토" 단계에서 반려되었습니다.'
