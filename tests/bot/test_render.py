import re
import unicodedata

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_COLOUR,
    RELATED_COLOUR,
    answer_embed,
    article_embed,
    article_list_embed,
    clip_escaped,
    clip_plain,
    escape,
    fits,
    link_url,
    quotes_embed,
    render_passage,
)
from index import RELATED_HEADING, Answer, QuotedPassage
from index.answering import answer_text

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000)
MARKDOWNY = st.text(alphabet=st.sampled_from(list("ab *_~`|>#-@<&:!.?’“”\n é🙂\u202e\u0301")), max_size=3000)


def passage(text: str, highlight: tuple[int, int] | None = None, **extra) -> QuotedPassage:
    span = highlight or (0, len(text))
    return QuotedPassage(article="a", title=extra.pop("title", "Title"), paragraph=3, text=text,
                         highlights=(span,), score=1.0, paragraph_kind="body", **extra)


UNESCAPED_LINK = re.compile(r"(?<!\\)(?:\\\\)*\[[^\]]*\]\(")  # a "[" no backslash escapes, then "](": a live link


def test_no_masked_link_survives_escaping_however_many_there_are():
    """discord.py's escape_markdown escaped only the first "[" of "[a](x) [b](y)": the second link
    stayed live in /stats, where any reader's declined question is shown to the moderators."""
    question = "How do I bake [sourdough](https://bread.test) bread [Free Nitro](https://phish.test)"
    assert not UNESCAPED_LINK.search(escape(question))
    assert escape("a \\[b](https://x)").count("[") == 1 and not UNESCAPED_LINK.search(escape("a \\[b](https://x)"))


def test_a_url_keeps_its_brackets():
    """A backslash added inside a URL would change the address it opens."""
    assert "https://ex.org/search?tags[]=a" in escape("see https://ex.org/search?tags[]=a and [b](c)")
    assert not UNESCAPED_LINK.search(escape("see https://ex.org/search?tags[]=a and [b](c)"))


def test_a_link_across_the_bold_sentence_is_not_live():
    """The passage is escaped in pieces around its bold sentence: no piece held the link whole."""
    text = "Read the [full report. Click here](https://evil.example) today."
    rendered = render_passage(passage(text, (text.index("Click"), len(text))), 500)
    assert "(https://evil.example)" in rendered and not UNESCAPED_LINK.search(rendered.replace("**", ""))


def test_highlight_is_bold_and_markdown_in_the_article_is_escaped():
    text = "He said it. Melnyk told Musk to “f*** off” online."
    rendered = render_passage(passage(text, (12, len(text))), 500)
    assert rendered == "> He said it. **Melnyk told Musk to “f\\*\\*\\* off” online.**"


def test_a_highlight_over_a_line_break_is_bold_on_each_line_of_the_quote():
    text = "He said it. Melnyk told Musk\nto go away online.\n\nThe end."
    rendered = render_passage(passage(text, (12, text.index("\n\n"))), 500)
    assert rendered == "> He said it. **Melnyk told Musk**\n> **to go away online.**\n>\n> The end."


def test_long_passage_is_cut_at_a_word_boundary_with_an_ellipsis_keeping_the_highlight():
    text = ("word " * 400) + "The answer is here. " + ("tail " * 400)
    start = text.index("The answer")
    rendered = render_passage(passage(text, (start, start + len("The answer is here."))), 300)
    assert len(rendered) <= 300
    assert "**The answer is here.**" in rendered
    assert rendered.count("**") == 2
    assert ELLIPSIS in rendered
    assert "wor…" not in rendered and "ta…" not in rendered


def test_a_highlight_too_long_for_the_room_keeps_its_best_sentence_in_view():
    before = "This is the sentence before, which the best one points back to, " + "and goes on " * 30 + "."
    text = before + " It holds the answer."
    best = (text.index("It holds"), len(text))
    cut = QuotedPassage(article="a", title="Title", paragraph=3, text=text, highlights=((0, len(text)),),
                        score=1.0, paragraph_kind="body", focus=best)
    rendered = render_passage(cut, 200)
    assert len(rendered) <= 200
    assert "It holds the answer." in rendered
    assert "It holds the answer." not in render_passage(passage(text, (0, len(text))), 200)  # no focus given


def test_clip_plain_prefers_sentence_then_word_boundaries():
    assert clip_plain("One two three four. Five six seven eight.", 30) == "One two three four. …"
    # A sentence end that would keep less than half the room loses to a word boundary.
    assert clip_plain("One two. Three four five six seven.", 20) == "One two. Three…"
    assert clip_plain("alpha beta gamma delta", 12) == "alpha beta…"
    assert clip_plain("short", 10) == "short"


def test_clip_plain_cuts_text_without_spaces_where_the_room_ends():
    """A title in Chinese or a 5,000-character word became a bare "…"."""
    chinese = "乌克兰驻德国大使对马斯克的和平计划作出了回应" * 20
    clipped = clip_plain(chinese, 256)
    assert len(clipped) <= 256 and clipped.endswith("…") and chinese.startswith(clipped[:-1]) and len(clipped) > 200
    assert clip_plain("Q: " + "x" * 5000, 100) == "Q: " + "x" * 95 + "…"


@pytest.mark.parametrize("length", [300, 700, 766, 5000, 10_000])
def test_clip_escaped_keeps_most_of_the_room_however_long_the_text(length):
    """Text over about three times the limit was clipped to a bare "…" (a title of 766 characters,
    a lead paragraph of 4,500): each step shrank the raw text by half of what was left over."""
    plain = ("word " * length)[:length]
    clipped = clip_escaped(plain, 256)
    assert len(clipped) <= 256 and len(clipped) > 200 and plain.startswith(clipped[:-1].rstrip())
    marked = ("*a* _b_ " * length)[:length]  # every other character needs an escape
    escaped = clip_escaped(marked, 256)
    assert 200 < len(escaped) <= 256 and escaped.endswith(ELLIPSIS)


def test_no_answer_says_so_and_quotes_nothing():
    embed = answer_embed(Answer("What is the capital of France?", False))
    assert "don't cover" in embed.description
    assert ">" not in embed.description


def test_attribution_names_article_paragraph_speaker_and_link():
    embed = answer_embed(Answer("q", True, (passage("Some text.", speaker="Andrij Melnyk",
                                                     url="https://example.org/x"),)))
    assert "*Title*, paragraph 3" in embed.description
    assert "quoting **Andrij Melnyk**" in embed.description
    assert "(<https://example.org/x>)" in embed.description


def test_related_passages_have_their_heading_and_colour_and_no_bold():
    text = "The storm hit the harbour on Sunday. Waves reached six metres."
    related = answer_embed(Answer("Is it going to rain this weekend?", True, (passage(text, (0, 36)),),
                                  verdict="related"))
    assert related.description.startswith(RELATED_HEADING)
    assert related.colour == RELATED_COLOUR != EMBED_COLOUR
    assert "**" not in related.description and "> The storm hit the harbour on Sunday." in related.description
    answered = answer_embed(Answer("When did the storm hit?", True, (passage(text, (0, 36)),)))
    assert answered.colour == EMBED_COLOUR and "**The storm hit the harbour on Sunday.**" in answered.description
    assert RELATED_HEADING not in answered.description


def test_related_passages_in_plain_text_have_the_heading_and_no_bold():
    text = "The storm hit the harbour on Sunday."
    shown = answer_text(Answer("Is it going to rain?", True, (passage(text),), verdict="related"))
    assert shown.splitlines()[1] == RELATED_HEADING and "**" not in shown and "> The storm hit" in shown
    assert "**The storm hit" in answer_text(Answer("When did the storm hit?", True, (passage(text),)))


@settings(max_examples=80, deadline=None)
@given(question=MARKDOWNY, texts=st.lists(MARKDOWNY.filter(str.strip), min_size=1, max_size=12),
       title=TEXT, verdict=st.sampled_from(["answer", "related"]))
def test_answer_embeds_always_fit_discords_limits(question, texts, title, verdict):
    passages = tuple(passage(t, (0, len(t) // 2 or len(t)), title=title or None, speaker=title[:300] or None)
                     for t in texts)
    embed = answer_embed(Answer(question or "q", True, passages, verdict=verdict))
    assert fits(embed)
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert "@everyone" not in embed.title


@settings(max_examples=60, deadline=None)
@given(text=MARKDOWNY, limit=st.integers(min_value=0, max_value=2000))
def test_clip_escaped_never_splits_an_escape(text, limit):
    clipped = clip_escaped(text, limit)
    assert len(clipped) <= limit
    # Every backslash the clip left escapes a character: none dangles at the end.
    assert not clipped.endswith("\\") or clipped.endswith("\\\\")


@settings(max_examples=40, deadline=None)
@given(quotes=st.lists(st.fixed_dictionaries({"article": st.just("a"), "paragraph": st.integers(1, 99),
                                               "kind": st.sampled_from(["direct", "indirect"]),
                                               "text": MARKDOWNY}), min_size=1, max_size=30),
       page=st.integers(1, 7))
def test_quotes_embeds_fit(quotes, page):
    embed = quotes_embed("Speaker", quotes, {"a": "A title"}, page, 5)
    assert fits(embed)
    assert isinstance(embed, discord.Embed)


def test_a_long_url_or_title_does_not_crowd_the_quotes_out_of_an_answer():
    """A 1,500-character URL left three passages with their credit lines and no quoted text."""
    url = "https://example.org/story?" + "a=1&" * 370
    long_title = "A very long title " * 80
    shown = tuple(passage("The answer is in this sentence, which the reader came for.", url=url, title=long_title)
                  for _ in range(3))
    embed = answer_embed(Answer("Where is the answer?", True, shown))
    assert embed.description.count("The answer is in this sentence") == 3 and fits(embed)


def test_the_quotes_field_keeps_paragraph_and_kind_however_long_the_title():
    quote = {"article": "a", "paragraph": 12, "kind": "indirect", "text": "Yes."}
    embed = quotes_embed("Speaker", [quote], {"a": "Council " * 40}, 1, 5)
    assert embed.fields[0].name.endswith(", paragraph 12 (indirect)") and fits(embed)


def test_one_long_title_does_not_end_the_article_list():
    articles = {f"story-{n}": {"title": f"Story {n}"} for n in range(7)}
    articles["story-2"] = {"title": "A very long title " * 300}
    embed = article_list_embed(articles)
    assert embed.footer.text is None and len(embed.description.split("\n")) == 7 and fits(embed)


def test_the_quotes_footer_counts_one_quotation_in_the_singular():
    one = [{"article": "a", "paragraph": 1, "kind": "direct", "text": "Yes."}]
    assert quotes_embed("Speaker", one, {"a": "A"}, 1, 5).footer.text == "Page 1 of 1 · 1 quotation"
    assert quotes_embed("Speaker", one * 2, {"a": "A"}, 1, 5).footer.text == "Page 1 of 1 · 2 quotations"


def test_article_list_shows_whole_lines_and_says_how_to_find_the_rest():
    articles = {f"lee-bg-{n:03d}": {"title": f"Story *{n}* of the year"} for n in range(1, 301)}
    embed = article_list_embed(articles)
    assert embed.title == "300 articles" and fits(embed)
    lines = embed.description.split("\n")
    assert all(line.startswith("• `lee-bg-") and line.endswith("of the year") for line in lines)
    assert "\\*1\\*" in lines[0]  # titles are escaped, ids are not
    assert embed.footer.text.startswith(f"Showing {len(lines)} of 300")
    assert article_list_embed(dict(list(articles.items())[:3])).footer.text is None


def test_terminal_text_shows_control_characters_inert_and_keeps_unicode():
    from index.answering.textview import answer_text

    text = "Peskov\x1b[2J said \x9b31m “yes”\r over it.\té🙂\u202e"
    hostile = QuotedPassage(article="a", title="T\x1b]0;title\x07", paragraph=1, text=text,
                            highlights=((0, 6),), score=1.0, paragraph_kind="body", speaker="P\x08eskov", url="https://x\x1b")
    rendered = answer_text(Answer("Who\x1b[2J?\x00", True, (hostile,)))
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in rendered), repr(rendered)
    assert "Q: Who\\x1b[2J?\\x00" in rendered and "\\x9b31m" in rendered and "\\x1b]0;title\\x07" in rendered
    assert "\té🙂\u202e" in rendered and "P\\x08eskov" in rendered
    assert "\x1b" not in answer_text(Answer("\x1b[2J", False))


def test_terminal_text_of_a_question_cleaned_to_nothing_asks_for_one():
    """`articlebot ask "?"` printed "Q: " and "The articles don't cover that question"."""
    from index.answering.textview import NO_QUESTION, answer_text

    assert answer_text(Answer("", False)) == NO_QUESTION


HOSTILE_URLS = ["https://a>) [click](https://evil", "example.org/story", "javascript:alert(1)", "ftp://example.org/x",
                "https://", "https://exa mple.org/", "https://example.org/\x1b[2J", "https://例え.jp/",
                "https://example.org/%zz", "https://example.org:port/", "https://a/[x]", "https://a/#b#c", "https://a@b@c/",
                "https://example.org/" + "a" * 2100,
                "<https://example.org>", "", 42]


def article(url) -> dict:
    return {"id": "a", "title": "Title", "url": url}


def test_only_well_formed_http_urls_become_links():
    for url in HOSTILE_URLS:
        assert link_url(url) is None, url
        embed = article_embed(article(url), 3, "Lead.")
        assert embed.url is None and "Link" not in [f.name for f in embed.fields]
        assert "link" not in answer_embed(Answer("q", True, (passage("Text.", url=url),))).description
    for url in ("https://example.org/story", "http://example.org/wiki/A_(b)?q=1&r=%C3%A9#top", "HTTPS://EXAMPLE.ORG"):
        assert link_url(url) == url
        embed = article_embed(article(url), 3, "Lead.")
        assert embed.url == url
        assert "(" not in next(f.value for f in embed.fields if f.name == "Link")[1:-1]


def test_a_url_cannot_inject_a_masked_link():
    url = "https://a/)(click)(https://evil"  # well-formed: every character is allowed in a URI's path
    description = answer_embed(Answer("q", True, (passage("Text.", url=url),))).description
    assert description.endswith(" · [link](<https://a/%29%28click%29%28https://evil>)")


@settings(max_examples=150, deadline=None)
@given(url=st.one_of(st.text(max_size=60), st.from_regex(r"\Ahttps?://[ -~]{0,40}\Z"), st.sampled_from(HOSTILE_URLS)))
def test_whatever_the_url_discord_accepts_the_embed(url):
    from tests.e2e.openapi import invalid_form_body

    embeds = [article_embed(article(url), 3, "Lead."), answer_embed(Answer("q", True, (passage("T.", url=url),)))]
    body = {"type": 4, "data": {"embeds": [embed.to_dict() for embed in embeds]}}
    assert invalid_form_body("POST", "/interactions/1/token/callback", body) is None
