//! `SyndicationItem` and `SyndicationFeed`: the Python object graph of a feed (see
//! `syndication_node.rs` for why it is a graph of Python objects), with `load`,
//! `load_from_xml` and `get_xml_document` done by core.

use netrt::web::syndication::{SyndicationFeed, SyndicationFormat, SyndicationItem};
use pyo3::PyClassInitializer;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::asyncop::arity_error;
use crate::convert::{enum_arg, py_enum, str_arg};
use crate::errors::{OrRaise, invalid_arg};
use crate::syndication_model::{
    PySyndicationCategory, PySyndicationContent, PySyndicationGenerator, PySyndicationLink,
    PySyndicationPerson, PySyndicationText,
};
use crate::syndication_node::{
    DateProp, PyNodeBase, UriProp, list_of, list_to_core, node_init, opt_uri_arg, uri_obj,
};
use crate::uri::{PyUri, uri_arg};
use crate::xml_document::PyXmlDocument;

/// A `SyndicationFormat` argument.
pub fn format_arg(obj: &Bound<'_, PyAny>) -> PyResult<SyndicationFormat> {
    let raw = enum_arg(obj, "format")?;
    SyndicationFormat::from_i32(raw).ok_or_else(|| invalid_arg(format!("{raw} is not a SyndicationFormat")))
}

fn text_obj(
    py: Python<'_>,
    t: &Option<netrt::web::syndication::SyndicationText>,
) -> PyResult<Option<Py<PySyndicationText>>> {
    t.as_ref().map(|t| PySyndicationText::new_object(py, t)).transpose()
}

fn text_core(
    py: Python<'_>,
    t: &Option<Py<PySyndicationText>>,
) -> PyResult<Option<netrt::web::syndication::SyndicationText>> {
    match t {
        Some(t) => PySyndicationText::to_core(t.bind(py).as_any()),
        None => Ok(None),
    }
}

fn links_core(py: Python<'_>, list: &Py<PyList>) -> PyResult<Vec<netrt::web::syndication::SyndicationLink>> {
    list_to_core(list, py, "links", PySyndicationLink::to_core, "SyndicationLink")
}

fn people_core(
    py: Python<'_>,
    list: &Py<PyList>,
    property: &str,
) -> PyResult<Vec<netrt::web::syndication::SyndicationPerson>> {
    list_to_core(list, py, property, PySyndicationPerson::to_core, "SyndicationPerson")
}

fn categories_core(
    py: Python<'_>,
    list: &Py<PyList>,
) -> PyResult<Vec<netrt::web::syndication::SyndicationCategory>> {
    list_to_core(list, py, "categories", PySyndicationCategory::to_core, "SyndicationCategory")
}

/// `SyndicationItem`: an Atom entry or RSS item.
#[pyclass(module = "netrt", name = "SyndicationItem", extends = PyNodeBase)]
pub struct PySyndicationItem {
    /// `Id`.
    #[pyo3(get, set)]
    id: String,
    /// `Title`.
    #[pyo3(get, set)]
    title: Option<Py<PySyndicationText>>,
    /// `Summary`.
    #[pyo3(get, set)]
    summary: Option<Py<PySyndicationText>>,
    /// `Content`.
    #[pyo3(get, set)]
    content: Option<Py<PySyndicationContent>>,
    /// `Rights`.
    #[pyo3(get, set)]
    rights: Option<Py<PySyndicationText>>,
    /// `PublishedDate` (None when absent).
    #[pyo3(get, set)]
    published_date: DateProp,
    /// `LastUpdatedTime` (None when absent).
    #[pyo3(get, set)]
    last_updated_time: DateProp,
    /// `CommentsUri`.
    #[pyo3(get, set)]
    comments_uri: UriProp,
    /// `Links`: a list of `SyndicationLink`.
    #[pyo3(get)]
    links: Py<PyList>,
    /// `Authors`: a list of `SyndicationPerson`.
    #[pyo3(get)]
    authors: Py<PyList>,
    /// `Contributors`: a list of `SyndicationPerson`.
    #[pyo3(get)]
    contributors: Py<PyList>,
    /// `Categories`: a list of `SyndicationCategory`.
    #[pyo3(get)]
    categories: Py<PyList>,
    /// `Source`: the feed an aggregated item came from.
    #[pyo3(get, set)]
    source: Option<Py<PySyndicationFeed>>,
    /// `ETag` (AtomPub), `""` when none.
    #[pyo3(get)]
    e_tag: String,
}

impl PySyndicationItem {
    fn parts(py: Python<'_>, i: &SyndicationItem) -> PyResult<(Self, PyNodeBase)> {
        let this = Self {
            id: i.id.clone(),
            title: text_obj(py, &i.title)?,
            summary: text_obj(py, &i.summary)?,
            content: i.content.as_ref().map(|c| PySyndicationContent::new_object(py, c)).transpose()?,
            rights: text_obj(py, &i.rights)?,
            published_date: DateProp(i.published_date),
            last_updated_time: DateProp(i.last_updated_time),
            comments_uri: UriProp(i.comments_uri.clone()),
            links: list_of(py, &i.links, PySyndicationLink::new_object)?,
            authors: list_of(py, &i.authors, PySyndicationPerson::new_object)?,
            contributors: list_of(py, &i.contributors, PySyndicationPerson::new_object)?,
            categories: list_of(py, &i.categories, PySyndicationCategory::new_object)?,
            source: i.source.as_ref().map(|f| PySyndicationFeed::new_object(py, f)).transpose()?,
            e_tag: i.e_tag.clone(),
        };
        Ok((this, PyNodeBase::from_core(py, &i.node)?))
    }

    pub fn new_object(py: Python<'_>, i: &SyndicationItem) -> PyResult<Py<Self>> {
        let (this, base) = Self::parts(py, i)?;
        Py::new(py, node_init(this, base))
    }

    pub fn to_core(obj: &Bound<'_, PyAny>) -> PyResult<Option<SyndicationItem>> {
        let Ok(i) = obj.cast::<Self>() else { return Ok(None) };
        let py = obj.py();
        let i = i.borrow();
        let content = match &i.content {
            Some(c) => PySyndicationContent::to_core(c.bind(py).as_any())?,
            None => None,
        };
        let source = match &i.source {
            Some(f) => Some(Box::new(PySyndicationFeed::to_core(f.bind(py))?)),
            None => None,
        };
        Ok(Some(SyndicationItem {
            node: PyNodeBase::to_core(obj)?,
            id: i.id.clone(),
            title: text_core(py, &i.title)?,
            summary: text_core(py, &i.summary)?,
            content,
            rights: text_core(py, &i.rights)?,
            published_date: i.published_date.0,
            last_updated_time: i.last_updated_time.0,
            comments_uri: i.comments_uri.0.clone(),
            links: links_core(py, &i.links)?,
            authors: people_core(py, &i.authors, "authors")?,
            contributors: people_core(py, &i.contributors, "contributors")?,
            categories: categories_core(py, &i.categories)?,
            source,
            e_tag: i.e_tag.clone(),
        }))
    }

    /// Replaces this item (both halves) with `item`.
    fn replace(slf: &Bound<'_, Self>, item: &SyndicationItem) -> PyResult<()> {
        let (this, base) = Self::parts(slf.py(), item)?;
        *slf.borrow_mut() = this;
        *slf.as_any().cast::<PyNodeBase>()?.borrow_mut() = base;
        Ok(())
    }

    /// Core's item as it is now (for the link-derived properties and writing).
    fn core(slf: &Bound<'_, Self>) -> PyResult<SyndicationItem> {
        Ok(Self::to_core(slf.as_any())?.unwrap_or_default())
    }
}

#[pymethods]
impl PySyndicationItem {
    /// `SyndicationItem()` or `SyndicationItem(title, content, uri)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let item = match args.len() {
            0 => SyndicationItem::default(),
            3 => {
                let content = PySyndicationContent::to_core(&args.get_item(1)?)?.ok_or_else(|| {
                    pyo3::exceptions::PyTypeError::new_err("content must be a SyndicationContent")
                })?;
                SyndicationItem::with_details(
                    &str_arg(&args.get_item(0)?, "title")?,
                    content,
                    opt_uri_arg(&args.get_item(2)?)?,
                )
            }
            _ => return Err(arity_error("SyndicationItem", "() or (title, content, uri)", args)),
        };
        Self::parts(py, &item).map(|(this, base)| node_init(this, base))
    }

    /// `Load(item)`: replaces the item with the Atom entry or RSS item in `item` (on failure,
    /// the item is left as it was).
    #[pyo3(signature = (item, /))]
    fn load(slf: &Bound<'_, Self>, item: &str) -> PyResult<()> {
        let mut parsed = SyndicationItem::default();
        parsed.load(item).or_raise()?;
        Self::replace(slf, &parsed)
    }

    /// `LoadFromXml(item_document)`.
    #[pyo3(signature = (item_document, /))]
    fn load_from_xml(slf: &Bound<'_, Self>, item_document: PyRef<'_, PyXmlDocument>) -> PyResult<()> {
        let mut parsed = SyndicationItem::default();
        parsed.load_from_xml(&item_document.inner).or_raise()?;
        Self::replace(slf, &parsed)
    }

    /// `GetXmlDocument(format)`: the item as an Atom `entry` or RSS `item`.
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        let format = format_arg(format)?;
        Ok(PyXmlDocument { inner: Self::core(slf)?.get_xml_document(format).or_raise()? })
    }

    /// `ItemUri`: the alternate link's URI.
    #[getter]
    fn item_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        let probe = SyndicationItem { links: links_core(py, &self.links)?, ..SyndicationItem::default() };
        Ok(uri_obj(probe.item_uri()))
    }
    /// `EditUri`: the AtomPub `edit` link's URI.
    #[getter]
    fn edit_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        let probe = SyndicationItem { links: links_core(py, &self.links)?, ..SyndicationItem::default() };
        Ok(uri_obj(probe.edit_uri()))
    }
    /// `EditMediaUri`: the AtomPub `edit-media` link's URI.
    #[getter]
    fn edit_media_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        let probe = SyndicationItem { links: links_core(py, &self.links)?, ..SyndicationItem::default() };
        Ok(uri_obj(probe.edit_media_uri()))
    }

    fn __repr__(&self) -> String {
        format!("<SyndicationItem id={:?}>", self.id)
    }
}

/// `SyndicationFeed`: a feed and its items.
#[pyclass(module = "netrt", name = "SyndicationFeed", extends = PyNodeBase)]
pub struct PySyndicationFeed {
    /// `Id`.
    #[pyo3(get, set)]
    id: String,
    /// `Title`.
    #[pyo3(get, set)]
    title: Option<Py<PySyndicationText>>,
    /// `Subtitle`.
    #[pyo3(get, set)]
    subtitle: Option<Py<PySyndicationText>>,
    /// `Rights`.
    #[pyo3(get, set)]
    rights: Option<Py<PySyndicationText>>,
    /// `Generator`.
    #[pyo3(get, set)]
    generator: Option<Py<PySyndicationGenerator>>,
    /// `LastUpdatedTime` (None when absent).
    #[pyo3(get, set)]
    last_updated_time: DateProp,
    /// `ImageUri`.
    #[pyo3(get, set)]
    image_uri: UriProp,
    /// `IconUri`.
    #[pyo3(get, set)]
    icon_uri: UriProp,
    /// `Items`: a list of `SyndicationItem`.
    #[pyo3(get)]
    items: Py<PyList>,
    /// `Links`: a list of `SyndicationLink`.
    #[pyo3(get)]
    links: Py<PyList>,
    /// `Authors`: a list of `SyndicationPerson`.
    #[pyo3(get)]
    authors: Py<PyList>,
    /// `Contributors`: a list of `SyndicationPerson`.
    #[pyo3(get)]
    contributors: Py<PyList>,
    /// `Categories`: a list of `SyndicationCategory`.
    #[pyo3(get)]
    categories: Py<PyList>,
    source_format: SyndicationFormat,
}

impl PySyndicationFeed {
    fn parts(py: Python<'_>, f: &SyndicationFeed) -> PyResult<(Self, PyNodeBase)> {
        let this = Self {
            id: f.id.clone(),
            title: text_obj(py, &f.title)?,
            subtitle: text_obj(py, &f.subtitle)?,
            rights: text_obj(py, &f.rights)?,
            generator: f.generator.as_ref().map(|g| PySyndicationGenerator::new_object(py, g)).transpose()?,
            last_updated_time: DateProp(f.last_updated_time),
            image_uri: UriProp(f.image_uri.clone()),
            icon_uri: UriProp(f.icon_uri.clone()),
            items: list_of(py, &f.items, PySyndicationItem::new_object)?,
            links: list_of(py, &f.links, PySyndicationLink::new_object)?,
            authors: list_of(py, &f.authors, PySyndicationPerson::new_object)?,
            contributors: list_of(py, &f.contributors, PySyndicationPerson::new_object)?,
            categories: list_of(py, &f.categories, PySyndicationCategory::new_object)?,
            source_format: f.source_format,
        };
        Ok((this, PyNodeBase::from_core(py, &f.node)?))
    }

    /// A new Python feed holding `f`.
    pub fn new_object(py: Python<'_>, f: &SyndicationFeed) -> PyResult<Py<Self>> {
        let (this, base) = Self::parts(py, f)?;
        Py::new(py, node_init(this, base))
    }

    /// Core's feed as the Python objects have it now.
    pub fn to_core(obj: &Bound<'_, Self>) -> PyResult<SyndicationFeed> {
        let py = obj.py();
        let f = obj.borrow();
        let generator = match &f.generator {
            Some(g) => PySyndicationGenerator::to_core(g.bind(py).as_any())?,
            None => None,
        };
        Ok(SyndicationFeed {
            node: PyNodeBase::to_core(obj.as_any())?,
            id: f.id.clone(),
            title: text_core(py, &f.title)?,
            subtitle: text_core(py, &f.subtitle)?,
            rights: text_core(py, &f.rights)?,
            generator,
            last_updated_time: f.last_updated_time.0,
            image_uri: f.image_uri.0.clone(),
            icon_uri: f.icon_uri.0.clone(),
            items: list_to_core(&f.items, py, "items", PySyndicationItem::to_core, "SyndicationItem")?,
            links: links_core(py, &f.links)?,
            categories: categories_core(py, &f.categories)?,
            authors: people_core(py, &f.authors, "authors")?,
            contributors: people_core(py, &f.contributors, "contributors")?,
            source_format: f.source_format,
        })
    }

    fn replace(slf: &Bound<'_, Self>, feed: &SyndicationFeed) -> PyResult<()> {
        let (this, base) = Self::parts(slf.py(), feed)?;
        *slf.borrow_mut() = this;
        *slf.as_any().cast::<PyNodeBase>()?.borrow_mut() = base;
        Ok(())
    }

    fn paging_probe(&self, py: Python<'_>) -> PyResult<SyndicationFeed> {
        Ok(SyndicationFeed { links: links_core(py, &self.links)?, ..SyndicationFeed::default() })
    }
}

#[pymethods]
impl PySyndicationFeed {
    /// `SyndicationFeed()` or `SyndicationFeed(title, subtitle, uri)`.
    #[new]
    #[pyo3(signature = (*args))]
    fn new(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
        let feed = match args.len() {
            0 => SyndicationFeed::default(),
            3 => SyndicationFeed::with_details(
                &str_arg(&args.get_item(0)?, "title")?,
                &str_arg(&args.get_item(1)?, "subtitle")?,
                Some(uri_arg(&args.get_item(2)?)?),
            ),
            _ => return Err(arity_error("SyndicationFeed", "() or (title, subtitle, uri)", args)),
        };
        Self::parts(py, &feed).map(|(this, base)| node_init(this, base))
    }

    /// `Load(feed)`: replaces the feed with the one in `feed` (any of the six formats). Fails
    /// with WEB_E_INVALID_XML, WEB_E_UNSUPPORTED_FORMAT or WEB_E_MISSING_REQUIRED_ELEMENT
    /// (see `SyndicationError.get_status`), leaving the feed as it was.
    #[pyo3(signature = (feed, /))]
    fn load(slf: &Bound<'_, Self>, feed: &str) -> PyResult<()> {
        let parsed = SyndicationFeed::parse(feed).or_raise()?;
        Self::replace(slf, &parsed)
    }

    /// `LoadFromXml(feed_document)`.
    #[pyo3(signature = (feed_document, /))]
    fn load_from_xml(slf: &Bound<'_, Self>, feed_document: PyRef<'_, PyXmlDocument>) -> PyResult<()> {
        let mut parsed = SyndicationFeed::default();
        parsed.load_from_xml(&feed_document.inner).or_raise()?;
        Self::replace(slf, &parsed)
    }

    /// `GetXmlDocument(format)`: the feed written as Atom 1.0 or RSS 2.0/0.92/0.91
    /// (E_INVALIDARG for Atom 0.3 and RSS 1.0, which netrt only reads).
    #[pyo3(signature = (format, /))]
    fn get_xml_document(slf: &Bound<'_, Self>, format: &Bound<'_, PyAny>) -> PyResult<PyXmlDocument> {
        let format = format_arg(format)?;
        Ok(PyXmlDocument { inner: Self::to_core(slf)?.get_xml_document(format).or_raise()? })
    }

    /// `SourceFormat`: the format the feed was read from.
    #[getter]
    fn source_format(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        py_enum(py, "SyndicationFormat", self.source_format as i64)
    }

    /// `FirstUri`: the `first` paging link (RFC 5005).
    #[getter]
    fn first_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        Ok(uri_obj(self.paging_probe(py)?.first_uri()))
    }
    /// `LastUri`: the `last` paging link.
    #[getter]
    fn last_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        Ok(uri_obj(self.paging_probe(py)?.last_uri()))
    }
    /// `NextUri`: the `next` paging link.
    #[getter]
    fn next_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        Ok(uri_obj(self.paging_probe(py)?.next_uri()))
    }
    /// `PreviousUri`: the `previous` paging link.
    #[getter]
    fn previous_uri(&self, py: Python<'_>) -> PyResult<Option<PyUri>> {
        Ok(uri_obj(self.paging_probe(py)?.previous_uri()))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let title = self.title.as_ref().map(|t| t.borrow(py).text_value()).unwrap_or_default();
        format!("<SyndicationFeed {title:?}: {} items>", self.items.bind(py).len())
    }
}
