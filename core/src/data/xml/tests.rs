use super::*;
use crate::error::hresult::WEB_E_INVALID_XML;

fn invalid(xml: &str) -> String {
    let e = XmlDocument::parse(xml).unwrap_err();
    assert_eq!(e.hresult(), WEB_E_INVALID_XML, "{e}");
    e.message().to_string()
}

#[test]
fn parses_namespaces_attributes_and_text() {
    let doc = XmlDocument::parse(
        r#"<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x" xml:lang="en">
<title type="text">A &amp; B &#x263A;</title><x:ext x:a="1" b="2"><![CDATA[<raw>]]></x:ext></feed>"#,
    )
    .unwrap();
    assert_eq!(doc.prolog, vec![XmlNode::Comment(" c ".into())]);
    let root = doc.document_element().unwrap();
    assert!(root.is("http://www.w3.org/2005/Atom", "feed"));
    assert_eq!(root.xml_attribute("lang"), Some("en"));
    assert_eq!(root.child("http://www.w3.org/2005/Atom", "title").unwrap().inner_text(), "A & B ☺");
    let ext = root.child("urn:x", "ext").unwrap();
    assert_eq!(
        (ext.tag_name(), ext.attribute_ns("urn:x", "a"), ext.attribute("b")),
        ("x:ext".into(), Some("1"), Some("2"))
    );
    assert_eq!(ext.inner_text(), "<raw>");
}

#[test]
fn get_xml_round_trips_and_declares_namespaces_it_needs() {
    let text = r#"<a xmlns="urn:a" xmlns:p="urn:p" p:q="&quot;1&#10;"><p:b>x &lt; y</p:b><c/></a>"#;
    let doc = XmlDocument::parse(text).unwrap();
    let again = XmlDocument::parse(&doc.get_xml()).unwrap();
    assert_eq!(doc, again);

    let mut root = XmlElement::new("root", "urn:r");
    let child = root.append_element(XmlElement::new("child", "urn:c"));
    child.attributes.push(XmlAttribute::with_namespace(None, "k", "urn:k", "v"));
    child.append_text("t");
    let xml = XmlDocument::with_root(root.clone()).get_xml();
    let parsed = XmlDocument::parse(&xml).unwrap();
    let c = parsed.root.as_ref().unwrap().child("urn:c", "child").unwrap();
    assert_eq!((c.attribute_ns("urn:k", "k"), c.inner_text()), (Some("v"), "t".into()), "{xml}");
}

#[test]
fn refuses_dtds_and_undeclared_entities() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#;
    assert!(invalid(laughs).contains("DTD"));
    let xxe = r#"<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>"#;
    assert!(invalid(xxe).contains("DTD"));
    assert!(invalid("<foo>&xxe;</foo>").contains("xxe"));
    assert!(invalid(r#"<foo a="&xxe;"/>"#).contains("xxe"));
}

#[test]
fn refuses_malformed_documents() {
    for bad in [
        "",
        "text",
        "<a>",
        "<a></b>",
        "<a/><b/>",
        "<a/>tail",
        "<p:a/>",
        "<a p:b='1'/>",
        "<a x='1' x='2'/>",
        "<a>&#0;</a>",
    ] {
        invalid(bad);
    }
}

#[test]
fn depth_is_limited() {
    let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
    XmlDocument::parse(&ok).unwrap();
    let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
    assert!(invalid(&deep).contains("deeper"));
}

#[test]
fn bytes_must_be_utf8() {
    XmlDocument::parse_bytes(b"\xEF\xBB\xBF<a>\xC3\xA9</a>").unwrap();
    let e = XmlDocument::parse_bytes(b"<a>\xFF</a>").unwrap_err();
    assert!(e.message().contains("UTF-8"), "{e}");
    // The declared encoding decodes the bytes: é is 0xE9 in ISO-8859-1, € 0x80 in windows-1252.
    let latin1 = XmlDocument::parse_bytes(b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xE9</a>").unwrap();
    assert_eq!(latin1.root.unwrap().inner_text(), "é");
    let cp1252 =
        XmlDocument::parse_bytes(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>").unwrap();
    assert_eq!(cp1252.root.unwrap().inner_text(), "€");
    let utf16: Vec<u8> = "\u{FEFF}<a>ü</a>".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(XmlDocument::parse_bytes(&utf16).unwrap().root.unwrap().inner_text(), "ü");
    let e = XmlDocument::parse_bytes(b"<?xml version='1.0' encoding='x-no-such'?><a/>").unwrap_err();
    assert!(e.message().contains("x-no-such"), "{e}");
    let e = XmlDocument::parse_bytes(b"<?xml version='1.0' encoding='Shift_JIS'?><a>\x82</a>").unwrap_err();
    assert!(e.message().contains("Shift_JIS"), "{e}");
}

#[test]
fn attributes_are_found_by_the_name_as_written() {
    let doc = XmlDocument::parse(r#"<e xmlns:x="urn:x" x:a="1" a="2" xml:lang="en"/>"#).unwrap();
    let e = doc.root.as_ref().unwrap();
    assert_eq!(e.attribute("x:a"), Some("1"));
    assert_eq!(e.attribute("a"), Some("2"));
    assert_eq!(e.attribute("xml:lang"), Some("en"));
    assert_eq!(e.attribute("xmlns:x"), Some("urn:x"));
    for absent in ["lang", "x", "x:", ":a", "xa", "y:a", "x:ab"] {
        assert_eq!(e.attribute(absent), None, "{absent}");
    }
}

#[test]
fn documents_with_more_names_than_are_shared_keep_every_name() {
    let children: String = (0..300).map(|n| format!("<n{n} a{n}=\"{n}\"/>")).collect();
    let doc = XmlDocument::parse(&format!("<root>{children}<n7/></root>")).unwrap();
    let names: Vec<String> = doc.root.as_ref().unwrap().child_elements().map(|e| e.tag_name()).collect();
    let expected: Vec<String> = (0..300).map(|n| format!("n{n}")).chain(["n7".to_string()]).collect();
    assert_eq!(names, expected);
    let last = doc.root.as_ref().unwrap().child("", "n299").unwrap();
    assert_eq!(last.attribute("a299"), Some("299"));
}
