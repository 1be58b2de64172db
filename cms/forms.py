"""The editor's form of every page: no resident registration number in any text an editor types.

Our page fields carry the `reject_rrn` model validator like every other typed field, but a
page also has Wagtail's own fields (title, slug, SEO title, search description), the blocks
of its StreamFields (rich text included) and the editors' comments, which no model
validator of ours reaches. The form reads them all, as a person would see them, and puts
the error on the block or field that holds the number.
"""

import html

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.rich_text import RichText

from core.validators import RRN_MESSAGE, looks_like_rrn

COMMENT_RRN_MESSAGE = _(
    "A comment looks like it holds a resident registration number. We do not collect it: "
    "remove it from the comment and save again."
)


def holds_rrn(value: object) -> bool:
    """Return whether a text or rich text value holds something shaped like a resident registration number.

    Rich text is read without its tags and entities too, so digits split by markup
    ("8501<b>01</b>-1234567") are read as the reader sees them.
    """
    if isinstance(value, RichText):
        value = value.source
    if not isinstance(value, str):
        return False
    return looks_like_rrn(value) or looks_like_rrn(html.unescape(strip_tags(value)))


def block_rrn_error(block: blocks.Block, value: object) -> ValidationError | None:
    """Return the error to show on the parts of a block's value that hold an RRN, or None when none does."""
    if isinstance(block, blocks.StreamBlock):
        errors = {
            index: error for index, child in enumerate(value) if (error := block_rrn_error(child.block, child.value))
        }
        return StreamBlockValidationError(block_errors=errors) if errors else None
    if isinstance(block, blocks.ListBlock):
        errors = {
            index: error for index, item in enumerate(value) if (error := block_rrn_error(block.child_block, item))
        }
        return ListBlockValidationError(block_errors=errors) if errors else None
    if isinstance(block, blocks.StructBlock):
        errors = {
            name: error
            for name, child in block.child_blocks.items()
            if (error := block_rrn_error(child, value.get(name)))
        }
        return StructBlockValidationError(block_errors=errors) if errors else None
    if holds_rrn(value):
        return ValidationError(RRN_MESSAGE, code="rrn")
    return None


class BasePageForm(WagtailAdminPageForm):
    """The form of every page type of the site (`BasePage.base_form_class`)."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            field = self.fields.get(name)
            if isinstance(field, blocks.BlockField):
                error = block_rrn_error(field.block, value)
            else:
                error = ValidationError(RRN_MESSAGE, code="rrn") if holds_rrn(value) else None
            if error is not None:
                self.add_error(name, error)
        if any(holds_rrn(text) for text in self._comment_texts()):
            self.add_error(None, ValidationError(COMMENT_RRN_MESSAGE, code="rrn"))
        return cleaned_data

    def _comment_texts(self):
        """Yield the text of every comment and reply the editor keeps, as posted."""
        comments = self.formsets.get("comments")
        if comments is None:
            return
        for comment in comments.forms:
            if _kept(comment):
                yield comment["text"].value()
                yield from (reply["text"].value() for reply in comment.formsets["replies"].forms if _kept(reply))


def _kept(form) -> bool:
    """Return whether a comment or reply form is not marked for deletion."""
    return "DELETE" not in form.fields or not form["DELETE"].value()
