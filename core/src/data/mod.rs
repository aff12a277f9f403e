//! Windows.Data: the XML document object model the syndication classes read and write.

pub mod xml;
