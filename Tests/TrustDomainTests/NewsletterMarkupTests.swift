import Testing

import TrustDomain

@Suite("Newsletter markup")
struct NewsletterMarkupTests {
    @Test func paragraphsEmphasisListsAndLinks() {
        let markup = NewsletterMarkup("Hello **world** and *you*.\nSecond line\n\n- one\n- [two](https://example.org/a?b=1&c=2)")
        #expect(markup.html == """
            <p>Hello <strong>world</strong> and <em>you</em>.<br>
            Second line</p>
            <ul>
            <li>one</li>
            <li><a href="https://example.org/a?b=1&amp;c=2">two</a></li>
            </ul>
            """)
        #expect(markup.text == "Hello world and you.\nSecond line\n\n- one\n- two (https://example.org/a?b=1&c=2)")
    }

    @Test func everythingElseIsEscaped() {
        #expect(NewsletterMarkup(#"<script>alert("x")</script> & 'q'"#).html
            == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>")
        #expect(NewsletterMarkup("<b>not bold</b>").text == "<b>not bold</b>")
    }

    @Test func unsafeOrMalformedLinksStayText() {
        #expect(NewsletterMarkup("[x](javascript:alert(1))").html == "<p>[x](javascript:alert(1))</p>")
        #expect(NewsletterMarkup("[x](http://example.org)").html == "<p>[x](http://example.org)</p>")
        #expect(NewsletterMarkup(#"[x](https://e.org/"onmouseover=1)"#).html == "<p>[x](https://e.org/&quot;onmouseover=1)</p>")
        #expect(NewsletterMarkup("[](https://e.org)").html == "<p>[](https://e.org)</p>")
        #expect(NewsletterMarkup("[x](https://)").html == "<p>[x](https://)</p>")
    }

    @Test func markersNeedPartnersAndNonSpaceInside() {
        #expect(NewsletterMarkup("2 * 3 * 4").html == "<p>2 * 3 * 4</p>")
        #expect(NewsletterMarkup("**unclosed").html == "<p>**unclosed</p>")
        #expect(NewsletterMarkup("** spaced **").html == "<p>** spaced **</p>")
        #expect(NewsletterMarkup("**see [this](https://e.org)**").html
            == #"<p><strong>see <a href="https://e.org">this</a></strong></p>"#)
        #expect(NewsletterMarkup("*italic with **bold** inside*").html
            == "<p><em>italic with <strong>bold</strong> inside</em></p>")
    }

    @Test func blankLinesSeparateBlocksAndListsEndParagraphs() {
        let markup = NewsletterMarkup("Intro\n- a\n- b\nAfter\n\n\n\nLast")
        #expect(markup.blocks.count == 4)
        #expect(markup.text == "Intro\n\n- a\n- b\n\nAfter\n\nLast")
    }

    @Test func linkTargetsFindsEveryLinkShape() {
        #expect(NewsletterMarkup.linkTargets(in: "see [a](http://x) and\n[b](https://y.org) [c]\n(no)")
            == ["http://x", "https://y.org"])
        #expect(NewsletterMarkup.isAllowedLink("https://www.focus-trust.co.uk/news?id=4#top"))
        #expect(!NewsletterMarkup.isAllowedLink("HTTPS://"))
        #expect(!NewsletterMarkup.isAllowedLink("https://a b.org"))
        #expect(!NewsletterMarkup.isAllowedLink("mailto:x@example.com"))
    }
}
