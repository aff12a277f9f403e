//! The C projection's syndication object graph.
//!
//! Core's feed model (`netrt_core::web::syndication`) is plain values; WinRT's is objects with
//! reference semantics — `feed.Items[0].Title.Text = "x"` changes the feed. So, as the Python
//! projection does, each syndication object a C handle can reach is a handle-table `Object`
//! holding its own fields, its children are `Arc<Object>`s, and its collections are vectors
//! of `Arc<Object>`s (`netrt_vector_*`). Reading and writing (Load, GetXmlDocument, the
//! clients) convert whole graphs from and to core's values, which do all the work.
//!
//! Locks are never nested: a conversion locks one object, copies its fields and the `Arc`s of
//! its children, unlocks, then descends — so a graph a caller made cyclic (an item's Source
//! holding the item) cannot deadlock; the [`Path`] of objects being converted finds the cycle
//! (`E_INVALIDARG`) the first time an object is met inside itself.

use std::sync::{Arc, Mutex, MutexGuard};

use netrt_core::Error;
use netrt_core::foundation::{DateTime, Uri, Vector};
use netrt_core::web::syndication::{
    SyndicationCategory, SyndicationContent, SyndicationFeed, SyndicationGenerator, SyndicationItem,
    SyndicationLink, SyndicationNode, SyndicationPerson, SyndicationText,
};

use crate::enums::netrt_kind;
use crate::object::{Object, Value};

/// The deepest object graph converted: what a parsed document may nest
/// (`netrt_core::data::xml::MAX_DEPTH` elements) and the classes around it.
pub(crate) const MAX_DEPTH: usize = netrt_core::data::xml::MAX_DEPTH + 8;

/// A syndication object's mutable state.
pub(crate) type Shared<T> = Arc<Mutex<T>>;

pub(crate) fn shared<T>(value: T) -> Shared<T> {
    Arc::new(Mutex::new(value))
}

/// Locks an object's state; a panic elsewhere never leaves it unusable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The objects a conversion is inside of, innermost first: an object met again is a cycle.
pub(crate) struct Path<'a> {
    obj: *const Object,
    parent: Option<&'a Path<'a>>,
    depth: usize,
}

impl Path<'_> {
    /// Outside every object.
    pub(crate) fn root() -> Path<'static> {
        Path { obj: std::ptr::null(), parent: None, depth: 0 }
    }

    /// The path inside `obj`; `E_INVALIDARG` when `obj` is on it already (a cycle) or it is
    /// deeper than [`MAX_DEPTH`].
    fn enter<'b>(&'b self, obj: &Object) -> Result<Path<'b>, Error> {
        let ptr: *const Object = obj;
        let mut at = Some(self);
        while let Some(p) = at {
            if std::ptr::eq(p.obj, ptr) {
                return Err(Error::invalid_arg(format!(
                    "the syndication objects form a cycle: a {:?} contains itself",
                    obj.kind()
                )));
            }
            at = p.parent;
        }
        if self.depth >= MAX_DEPTH {
            return Err(Error::invalid_arg(format!("the syndication objects nest deeper than {MAX_DEPTH}")));
        }
        Ok(Path { obj: ptr, parent: Some(self), depth: self.depth + 1 })
    }
}

/// `IVector<T>` of syndication objects of one kind, owned by the object that exposes it.
#[derive(Clone)]
pub(crate) struct ObjectVector {
    /// The kind `Append` accepts (`ElementExtensions` accepts every syndication node kind).
    pub elem: netrt_kind,
    pub items: Vector<Arc<Object>>,
}

impl ObjectVector {
    pub(crate) fn new(elem: netrt_kind, items: Vec<Arc<Object>>) -> Self {
        let cell = Arc::new(Mutex::new(items));
        let read = cell.clone();
        let items = Vector::live(
            move || lock(&read).clone(),
            move |v| {
                *lock(&cell) = v;
                Ok(())
            },
        );
        Self { elem, items }
    }

    /// A read-only `IVectorView` (AtomPub's service document parts).
    pub(crate) fn view(elem: netrt_kind, items: Vec<Arc<Object>>) -> Self {
        Self { elem, items: Vector::view(items) }
    }

    /// Whether `obj` may be an element.
    pub(crate) fn accepts(&self, obj: &Object) -> bool {
        let kind = obj.kind();
        kind == self.elem || (self.elem == netrt_kind::SyndicationNode && is_node_kind(kind))
    }
}

/// The `ISyndicationNode` part every syndication class has.
pub(crate) struct NodeState {
    pub name: String,
    pub namespace: String,
    pub value: String,
    pub language: String,
    pub base_uri: Option<Uri>,
    /// SyndicationAttribute objects.
    pub attributes: ObjectVector,
    /// ISyndicationNode objects.
    pub elements: ObjectVector,
}

/// A syndication object: its node part and its class's own fields.
pub(crate) struct Syn<T> {
    pub node: NodeState,
    pub v: T,
}

/// Fields of a SyndicationItem other than core's scalar ones (kept in `core`, whose object
/// fields stay empty).
pub(crate) struct ItemState {
    pub core: SyndicationItem,
    pub title: Option<Arc<Object>>,
    pub summary: Option<Arc<Object>>,
    pub rights: Option<Arc<Object>>,
    pub content: Option<Arc<Object>>,
    pub source: Option<Arc<Object>>,
    pub links: ObjectVector,
    pub authors: ObjectVector,
    pub contributors: ObjectVector,
    pub categories: ObjectVector,
}

/// As [`ItemState`], for a SyndicationFeed.
pub(crate) struct FeedState {
    pub core: SyndicationFeed,
    pub title: Option<Arc<Object>>,
    pub subtitle: Option<Arc<Object>>,
    pub rights: Option<Arc<Object>>,
    pub generator: Option<Arc<Object>>,
    pub items: ObjectVector,
    pub links: ObjectVector,
    pub authors: ObjectVector,
    pub contributors: ObjectVector,
    pub categories: ObjectVector,
}

/// Whether a kind implements ISyndicationNode.
pub(crate) fn is_node_kind(kind: netrt_kind) -> bool {
    use netrt_kind as K;
    matches!(
        kind,
        K::SyndicationFeed
            | K::SyndicationItem
            | K::SyndicationText
            | K::SyndicationContent
            | K::SyndicationLink
            | K::SyndicationPerson
            | K::SyndicationCategory
            | K::SyndicationGenerator
            | K::SyndicationNode
            | K::ServiceDocument
            | K::Workspace
            | K::ResourceCollection
    )
}

// ---- from core's values ----

fn objects<T>(items: &[T], kind: netrt_kind, f: impl Fn(&T) -> Value) -> ObjectVector {
    ObjectVector::new(kind, items.iter().map(|i| Object::new(f(i))).collect())
}

pub(crate) fn node_from(n: &SyndicationNode) -> NodeState {
    NodeState {
        name: n.node_name.clone(),
        namespace: n.node_namespace.clone(),
        value: n.node_value.clone(),
        language: n.language.clone(),
        base_uri: n.base_uri.clone(),
        attributes: objects(&n.attribute_extensions, netrt_kind::SyndicationAttribute, |a| {
            Value::SyndicationAttribute(shared(a.clone()))
        }),
        elements: objects(&n.element_extensions, netrt_kind::SyndicationNode, node_value),
    }
}

fn syn<T: Clone>(node: &SyndicationNode, v: &T) -> Shared<Syn<T>> {
    shared(Syn { node: node_from(node), v: v.clone() })
}

pub(crate) fn node_value(n: &SyndicationNode) -> Value {
    Value::SyndicationNode(shared(Syn { node: node_from(n), v: () }))
}

pub(crate) fn text_value(t: &SyndicationText) -> Value {
    Value::SyndicationText(syn(&t.node, t))
}

pub(crate) fn content_value(c: &SyndicationContent) -> Value {
    Value::SyndicationContent(syn(&c.node, c))
}

pub(crate) fn link_value(l: &SyndicationLink) -> Value {
    Value::SyndicationLink(syn(&l.node, l))
}

pub(crate) fn person_value(p: &SyndicationPerson) -> Value {
    Value::SyndicationPerson(syn(&p.node, p))
}

pub(crate) fn category_value(c: &SyndicationCategory) -> Value {
    Value::SyndicationCategory(syn(&c.node, c))
}

pub(crate) fn generator_value(g: &SyndicationGenerator) -> Value {
    Value::SyndicationGenerator(syn(&g.node, g))
}

fn opt_obj<T>(v: &Option<T>, f: impl Fn(&T) -> Value) -> Option<Arc<Object>> {
    v.as_ref().map(|v| Object::new(f(v)))
}

pub(crate) fn item_state(i: &SyndicationItem) -> Syn<ItemState> {
    let core = SyndicationItem {
        id: i.id.clone(),
        published_date: i.published_date,
        last_updated_time: i.last_updated_time,
        comments_uri: i.comments_uri.clone(),
        e_tag: i.e_tag.clone(),
        ..SyndicationItem::default()
    };
    let state = ItemState {
        core,
        title: opt_obj(&i.title, text_value),
        summary: opt_obj(&i.summary, text_value),
        rights: opt_obj(&i.rights, text_value),
        content: opt_obj(&i.content, content_value),
        source: i.source.as_deref().map(|f| Object::new(feed_value(f))),
        links: objects(&i.links, netrt_kind::SyndicationLink, link_value),
        authors: objects(&i.authors, netrt_kind::SyndicationPerson, person_value),
        contributors: objects(&i.contributors, netrt_kind::SyndicationPerson, person_value),
        categories: objects(&i.categories, netrt_kind::SyndicationCategory, category_value),
    };
    Syn { node: node_from(&i.node), v: state }
}

pub(crate) fn item_value(i: &SyndicationItem) -> Value {
    Value::SyndicationItem(shared(item_state(i)))
}

pub(crate) fn feed_state(f: &SyndicationFeed) -> Syn<FeedState> {
    let core = SyndicationFeed {
        id: f.id.clone(),
        last_updated_time: f.last_updated_time,
        image_uri: f.image_uri.clone(),
        icon_uri: f.icon_uri.clone(),
        source_format: f.source_format,
        ..SyndicationFeed::default()
    };
    let state = FeedState {
        core,
        title: opt_obj(&f.title, text_value),
        subtitle: opt_obj(&f.subtitle, text_value),
        rights: opt_obj(&f.rights, text_value),
        generator: opt_obj(&f.generator, generator_value),
        items: objects(&f.items, netrt_kind::SyndicationItem, item_value),
        links: objects(&f.links, netrt_kind::SyndicationLink, link_value),
        authors: objects(&f.authors, netrt_kind::SyndicationPerson, person_value),
        contributors: objects(&f.contributors, netrt_kind::SyndicationPerson, person_value),
        categories: objects(&f.categories, netrt_kind::SyndicationCategory, category_value),
    };
    Syn { node: node_from(&f.node), v: state }
}

pub(crate) fn feed_value(f: &SyndicationFeed) -> Value {
    Value::SyndicationFeed(shared(feed_state(f)))
}

// ---- to core's values ----

/// The node part of an object, its fields copied and its children's `Arc`s taken.
struct NodeCopy {
    node: SyndicationNode,
    attributes: Vec<Arc<Object>>,
    elements: Vec<Arc<Object>>,
}

fn node_copy(n: &NodeState) -> NodeCopy {
    NodeCopy {
        node: SyndicationNode {
            node_name: n.name.clone(),
            node_namespace: n.namespace.clone(),
            node_value: n.value.clone(),
            language: n.language.clone(),
            base_uri: n.base_uri.clone(),
            ..SyndicationNode::default()
        },
        attributes: n.attributes.items.to_vec(),
        elements: n.elements.items.to_vec(),
    }
}

fn node_finish(copy: NodeCopy, path: &Path<'_>) -> Result<SyndicationNode, Error> {
    let mut node = copy.node;
    for a in copy.attributes {
        if let Value::SyndicationAttribute(a) = &a.value {
            node.attribute_extensions.push(lock(a).clone());
        }
    }
    for e in copy.elements {
        node.element_extensions.push(as_extension(&e, path)?);
    }
    Ok(node)
}

/// A leaf class (text, content, link, person, category, generator) as its core value.
fn leaf_core<T: Clone>(
    s: &Mutex<Syn<T>>,
    path: &Path<'_>,
    set_node: impl Fn(&mut T, SyndicationNode),
) -> Result<T, Error> {
    let (copy, mut v) = {
        let g = lock(s);
        (node_copy(&g.node), g.v.clone())
    };
    set_node(&mut v, node_finish(copy, path)?);
    Ok(v)
}

/// Any ISyndicationNode object as an extension element (its node part; for a class, the
/// element it writes).
pub(crate) fn as_extension(obj: &Object, path: &Path<'_>) -> Result<SyndicationNode, Error> {
    let path = &path.enter(obj)?;
    let copy = match &obj.value {
        Value::SyndicationNode(s) => node_copy(&lock(s).node),
        Value::SyndicationFeed(s) => node_copy(&lock(s).node),
        Value::SyndicationItem(s) => node_copy(&lock(s).node),
        Value::SyndicationText(s) => node_copy(&lock(s).node),
        Value::SyndicationContent(s) => node_copy(&lock(s).node),
        Value::SyndicationLink(s) => node_copy(&lock(s).node),
        Value::SyndicationPerson(s) => node_copy(&lock(s).node),
        Value::SyndicationCategory(s) => node_copy(&lock(s).node),
        Value::SyndicationGenerator(s) => node_copy(&lock(s).node),
        Value::ServiceDocument(s) => node_copy(&lock(s).node),
        Value::Workspace(s) => node_copy(&lock(s).node),
        Value::ResourceCollection(s) => node_copy(&lock(s).node),
        _ => return Err(Error::invalid_arg("not a syndication node")),
    };
    node_finish(copy, path)
}

/// An ISyndicationText object (SyndicationText or SyndicationContent) as a core text.
pub(crate) fn text_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationText, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationText(s) => leaf_core(s, path, |t, n| t.node = n),
        Value::SyndicationContent(s) => {
            let c = leaf_core(s, path, |t, n| t.node = n)?;
            Ok(SyndicationText { node: c.node, text: c.text, text_type: c.text_type, xml: c.xml })
        }
        _ => Err(Error::invalid_arg("not an ISyndicationText")),
    }
}

fn content_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationContent, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationContent(s) => leaf_core(s, path, |c, n| c.node = n),
        _ => Err(Error::invalid_arg("not a SyndicationContent")),
    }
}

fn list<T>(
    v: &ObjectVector,
    path: &Path<'_>,
    f: impl Fn(&Object, &Path<'_>) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    v.items.to_vec().iter().map(|o| f(o, path)).collect()
}

fn opt<T>(
    o: &Option<Arc<Object>>,
    path: &Path<'_>,
    f: impl Fn(&Object, &Path<'_>) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    o.as_ref().map(|o| f(o, path)).transpose()
}

fn link_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationLink, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationLink(s) => leaf_core(s, path, |l, n| l.node = n),
        _ => Err(Error::invalid_arg("not a SyndicationLink")),
    }
}

fn person_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationPerson, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationPerson(s) => leaf_core(s, path, |p, n| p.node = n),
        _ => Err(Error::invalid_arg("not a SyndicationPerson")),
    }
}

fn category_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationCategory, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationCategory(s) => leaf_core(s, path, |c, n| c.node = n),
        _ => Err(Error::invalid_arg("not a SyndicationCategory")),
    }
}

fn generator_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationGenerator, Error> {
    let path = &path.enter(obj)?;
    match &obj.value {
        Value::SyndicationGenerator(s) => leaf_core(s, path, |g, n| g.node = n),
        _ => Err(Error::invalid_arg("not a SyndicationGenerator")),
    }
}

/// The parts of an object that are copied under its lock.
struct ItemCopy {
    node: NodeCopy,
    core: SyndicationItem,
    title: Option<Arc<Object>>,
    summary: Option<Arc<Object>>,
    rights: Option<Arc<Object>>,
    content: Option<Arc<Object>>,
    source: Option<Arc<Object>>,
    links: ObjectVector,
    authors: ObjectVector,
    contributors: ObjectVector,
    categories: ObjectVector,
}

/// A SyndicationItem object as core's item.
pub(crate) fn item_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationItem, Error> {
    let path = &path.enter(obj)?;
    let Value::SyndicationItem(s) = &obj.value else {
        return Err(Error::invalid_arg("not a SyndicationItem"));
    };
    let c = {
        let g = lock(s);
        let i = &g.v;
        ItemCopy {
            node: node_copy(&g.node),
            core: i.core.clone(),
            title: i.title.clone(),
            summary: i.summary.clone(),
            rights: i.rights.clone(),
            content: i.content.clone(),
            source: i.source.clone(),
            links: i.links.clone(),
            authors: i.authors.clone(),
            contributors: i.contributors.clone(),
            categories: i.categories.clone(),
        }
    };
    let mut item = c.core;
    item.node = node_finish(c.node, path)?;
    item.title = opt(&c.title, path, text_core)?;
    item.summary = opt(&c.summary, path, text_core)?;
    item.rights = opt(&c.rights, path, text_core)?;
    item.content = opt(&c.content, path, content_core)?;
    item.source = opt(&c.source, path, feed_core)?.map(Box::new);
    item.links = list(&c.links, path, link_core)?;
    item.authors = list(&c.authors, path, person_core)?;
    item.contributors = list(&c.contributors, path, person_core)?;
    item.categories = list(&c.categories, path, category_core)?;
    Ok(item)
}

struct FeedCopy {
    node: NodeCopy,
    core: SyndicationFeed,
    title: Option<Arc<Object>>,
    subtitle: Option<Arc<Object>>,
    rights: Option<Arc<Object>>,
    generator: Option<Arc<Object>>,
    items: ObjectVector,
    links: ObjectVector,
    authors: ObjectVector,
    contributors: ObjectVector,
    categories: ObjectVector,
}

/// A SyndicationFeed object as core's feed.
pub(crate) fn feed_core(obj: &Object, path: &Path<'_>) -> Result<SyndicationFeed, Error> {
    let path = &path.enter(obj)?;
    let Value::SyndicationFeed(s) = &obj.value else {
        return Err(Error::invalid_arg("not a SyndicationFeed"));
    };
    let c = {
        let g = lock(s);
        let f = &g.v;
        FeedCopy {
            node: node_copy(&g.node),
            core: f.core.clone(),
            title: f.title.clone(),
            subtitle: f.subtitle.clone(),
            rights: f.rights.clone(),
            generator: f.generator.clone(),
            items: f.items.clone(),
            links: f.links.clone(),
            authors: f.authors.clone(),
            contributors: f.contributors.clone(),
            categories: f.categories.clone(),
        }
    };
    let mut feed = c.core;
    feed.node = node_finish(c.node, path)?;
    feed.title = opt(&c.title, path, text_core)?;
    feed.subtitle = opt(&c.subtitle, path, text_core)?;
    feed.rights = opt(&c.rights, path, text_core)?;
    feed.generator = opt(&c.generator, path, generator_core)?;
    feed.items = list(&c.items, path, item_core)?;
    feed.links = list(&c.links, path, link_core)?;
    feed.authors = list(&c.authors, path, person_core)?;
    feed.contributors = list(&c.contributors, path, person_core)?;
    feed.categories = list(&c.categories, path, category_core)?;
    Ok(feed)
}

/// The links of an item or feed object as core values (for the URIs derived from them).
pub(crate) fn links_core(v: &ObjectVector) -> Result<Vec<SyndicationLink>, Error> {
    list(v, &Path::root(), link_core)
}

/// A DateTime property's C value: 0 when it is not set.
pub(crate) fn ticks(d: Option<DateTime>) -> i64 {
    d.map_or(0, |d| d.universal_time)
}

/// The core value of a DateTime set from C (0: not set).
pub(crate) fn from_ticks(t: i64) -> Option<DateTime> {
    (t != 0).then_some(DateTime { universal_time: t })
}

/// Reads a field of a leaf object's own part.
pub(crate) fn read<T, R>(s: &Shared<Syn<T>>, f: impl FnOnce(&T) -> R) -> R {
    f(&lock(s).v)
}

/// Changes a field of a leaf object's own part.
pub(crate) fn write<T, R>(s: &Shared<Syn<T>>, f: impl FnOnce(&mut T) -> R) -> R {
    f(&mut lock(s).v)
}
