"""Clear the shared page cache whenever something shown on public pages changes.

A page shows more than itself (menus, branch lists, the latest stories, site
settings), so one publish clears the whole page cache rather than a single URL. The apply
page, kept apart from it (cms.apply_cache), also shows the open rounds and the
consent notices.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move
from wagtailcache.cache import clear_cache

from cms.apply_cache import forget_apply_page
from cms.models import SiteSettings
from recruiting.models import Branch, ConsentNotice, District, RecruitmentRound


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def clear_cache_after_page_change(sender, **kwargs) -> None:
    clear_cache()


@receiver(post_delete, sender=Page)
@receiver(post_save, sender=SiteSettings)
@receiver(post_delete, sender=SiteSettings)
@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
@receiver(post_save, sender=District)
def clear_cache_after_content_change(sender, **kwargs) -> None:
    clear_cache()


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
@receiver(post_delete, sender=Page)
@receiver(post_save, sender=SiteSettings)
@receiver(post_delete, sender=SiteSettings)
@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
@receiver(post_save, sender=District)
@receiver(post_delete, sender=District)
@receiver(post_save, sender=RecruitmentRound)
@receiver(post_delete, sender=RecruitmentRound)
@receiver(post_save, sender=ConsentNotice)
@receiver(post_delete, sender=ConsentNotice)
def forget_apply_page_after_change(sender, **kwargs) -> None:
    forget_apply_page()
