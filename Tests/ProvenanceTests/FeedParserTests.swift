import Foundation
import Testing

@testable import ProvenanceCore

/// The podcast feed reader: where each item's manifest is, and what hostile or broken feeds get.
@Suite(.tags(.unit)) struct FeedParserTests {
    func parse(_ xml: String) throws -> PodcastFeed { try PodcastFeed(bytes: Array(xml.utf8)) }

    @Test func manifestURLsFromTagsOrEnclosures() throws {
        let feed = try parse(
            """
            \u{FEFF}<?xml version="1.0"?><!-- a comment -->
            <rss xmlns:p="https://podcastindex.org/namespace/1.0" xmlns:podcast="https://example.com/not-podcasting">
            <channel><title>Show &amp; Tell</title>
            <item><title><![CDATA[One <b>&</b> two]]></title><guid isPermaLink="false">g1</guid>
              <enclosure url="https://cdn.example/1.mp3?token=abc&amp;x=1" type="audio/mpeg"/>
              <p:txt purpose="provenance"> https://cdn.example/m/1.json </p:txt></item>
            <item><title>Two &#233;&#x00E9;</title>
              <enclosure url="https://cdn.example/2.mp3?token=abc"/>
              <p:txt purpose="verify">ignored</p:txt>
              <podcast:txt purpose="provenance">https://evil.example/not-the-podcast-namespace.json</podcast:txt></item>
            <item><title>Three</title></item>
            </channel></rss>
            """)
        #expect(feed.title == "Show & Tell")
        #expect(feed.items.count == 3)
        #expect(feed.items[0].title == "One <b>&</b> two" && feed.items[0].guid == "g1")
        #expect(feed.items[0].manifestURL == "https://cdn.example/m/1.json" && feed.items[0].tagged)
        #expect(feed.items[0].enclosure == "https://cdn.example/1.mp3?token=abc&x=1")
        // No provenance tag in the podcast namespace: the enclosure's path + .provenance.json, query kept.
        #expect(feed.items[1].title == "Two éé")
        #expect(feed.items[1].manifestURL == "https://cdn.example/2.mp3.provenance.json?token=abc")
        #expect(!feed.items[1].tagged)
        #expect(feed.items[2].manifestURL == nil)
    }

    @Test func brokenAndHostileFeedsAreRefused() {
        let cases: [(String, String)] = [
            ("<rss><channel><item><title>x</channel></rss>", "malformed XML"),
            ("<rss><channel><item><item></item></item></channel></rss>", "an item inside an item"),
            ("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x \"y\">]><rss>&x;</rss>", "DTD"),
            ("<rss><channel><title>a & b</title></channel></rss>", "a bare &"),
            ("<rss><channel><title>&nbsp;</title></channel></rss>", "unknown entity"),
            ("<rss><channel><title>x</title>", "not closed"),
            ("<rss a=b></rss>", "unquoted attribute"),
            ("<html><body>not a feed</body></html>", "not an RSS feed"),
            (String(repeating: "<a>", count: 70) + String(repeating: "</a>", count: 70), "deeper than 64"),
            (
                "<rss><channel>" + String(repeating: "<item></item>", count: 10_001) + "</channel></rss>",
                "more than 10000 items"
            ),
        ]
        for (xml, reason) in cases {
            #expect(throws: ProvenanceError.self, "\(reason)") { try parse(xml) }
            do { _ = try parse(xml) } catch let e as ProvenanceError {
                #expect(e.message.contains(reason), "\(e.message) for \(xml.prefix(60))")
            } catch {}
        }
        #expect(throws: ProvenanceError.self) {
            try PodcastFeed(bytes: [UInt8](repeating: 0x20, count: PodcastFeed.maxBytes + 1))
        }
    }
}
