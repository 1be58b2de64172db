"""StreamField blocks shared by every page type; each renders templates/blocks/<name>.html."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt = blocks.CharBlock(
        label=_("alternative text"),
        max_length=200,
        help_text=_("What the image shows, read aloud by screen readers"),
    )
    caption = blocks.CharBlock(label=_("caption"), max_length=200, required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(
        label=_("attribution"), max_length=120, required=False, help_text=_("e.g. 강서CS지점 팀장")
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote.html"


class FeatureBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=80)
    text = blocks.TextBlock(label=_("text"))


class FeatureListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120, required=False)
    features = blocks.ListBlock(FeatureBlock(), label=_("features"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Feature list")
        template = "blocks/feature_list.html"


class StepBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=40, help_text=_("e.g. 1개월 차, 1~4주"))
    title = blocks.CharBlock(label=_("title"), max_length=80)
    text = blocks.TextBlock(label=_("text"))


class StepsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=120, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("steps"), min_num=1)

    class Meta:
        icon = "order"
        label = _("Steps")
        template = "blocks/steps.html"


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("answer"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Question and answer")
        template = "blocks/question_answer.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), max_length=120)
    text = blocks.TextBlock(label=_("text"), required=False)
    calls_enquiry_phone = blocks.BooleanBlock(
        label=_("call the enquiry number"),
        required=False,
        help_text=_("The button calls the enquiry number of the site settings and shows it"),
    )
    link_page = blocks.PageChooserBlock(label=_("or link to a page"), required=False)
    link_url = blocks.CharBlock(
        label=_("or link to an address"),
        max_length=200,
        required=False,
        help_text=_("e.g. https://..."),
    )
    link_label = blocks.CharBlock(
        label=_("button label"),
        max_length=40,
        required=False,
        help_text=_("Needed for a link; a call button says “Call” and the number"),
    )

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if (value["link_page"] or value["link_url"]) and not value["link_label"] and not value["calls_enquiry_phone"]:
            raise StructBlockValidationError(
                block_errors={"link_label": ValidationError(_("Give the button a label."))}
            )
        return value


class EnquiryPhoneBlock(blocks.StructBlock):
    """A sentence followed by the enquiry number and hours of the site settings, so the number has one source."""

    text = blocks.CharBlock(
        label=_("text"),
        max_length=200,
        help_text=_("Shown before the number, e.g. 더 궁금한 점은 대표 전화로 문의해 주세요."),
    )

    class Meta:
        icon = "mobile-alt"
        label = _("Enquiry phone")
        template = "blocks/enquiry_phone.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=RICH_TEXT_FEATURES, template="blocks/paragraph.html"
    )
    image = ImageBlock()
    quote = QuoteBlock()
    features = FeatureListBlock()
    steps = StepsBlock()
    question_answer = QuestionAnswerBlock()
    call_to_action = CallToActionBlock()
    enquiry_phone = EnquiryPhoneBlock()


class FaqBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    question_answer = QuestionAnswerBlock()
    enquiry_phone = EnquiryPhoneBlock()
