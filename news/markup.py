"""Markdown written by staff, rendered to HTML that can carry no script.

markdown turns the text into HTML (raw HTML included, as Markdown allows); nh3 then keeps
only an allow-list of tags, attributes and URL schemes, so <script>, event handlers,
javascript: links, iframes and styles never reach a page.
"""

import markdown
import nh3

TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render(text):
    """Sanitized HTML for a Markdown text."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
