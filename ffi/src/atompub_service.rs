//! `Windows.Web.AtomPub.ServiceDocument`, `Workspace` and `ResourceCollection`: what
//! `RetrieveServiceDocumentAsync` returns, read-only (their collections are IVectorViews).
//! Their ISyndicationNode members are `netrt_syndication_node_*`.

use std::sync::Arc;

use netrt_core::Error;
use netrt_core::foundation::{Uri, Vector};
use netrt_core::web::atompub::{ResourceCollection, ServiceDocument, Workspace};

use crate::boundary::{Out, netrt_handle, netrt_hresult};
use crate::enums::netrt_kind;
use crate::object::{Object, Value, get};
use crate::syndication_node::{obj_out, uri_out};
use crate::syndication_state::{ObjectVector, Syn, category_value, lock, node_from, shared, text_value};
use crate::vector::{VectorObject, issue as issue_vector};

pub(crate) struct ServiceDocumentState {
    workspaces: ObjectVector,
}

pub(crate) struct WorkspaceState {
    title: Option<Arc<Object>>,
    collections: ObjectVector,
}

pub(crate) struct CollectionState {
    title: Option<Arc<Object>>,
    uri: Option<Uri>,
    accepts: Vec<String>,
    categories: ObjectVector,
}

fn collection_value(c: &ResourceCollection) -> Value {
    let state = CollectionState {
        title: c.title.as_ref().map(|t| Object::new(text_value(t))),
        uri: c.uri.clone(),
        accepts: c.accepts.clone(),
        categories: ObjectVector::view(
            netrt_kind::SyndicationCategory,
            c.categories.iter().map(|x| Object::new(category_value(x))).collect(),
        ),
    };
    Value::ResourceCollection(shared(Syn { node: node_from(&c.node), v: state }))
}

fn workspace_value(w: &Workspace) -> Value {
    let state = WorkspaceState {
        title: w.title.as_ref().map(|t| Object::new(text_value(t))),
        collections: ObjectVector::view(
            netrt_kind::ResourceCollection,
            w.collections.iter().map(|c| Object::new(collection_value(c))).collect(),
        ),
    };
    Value::Workspace(shared(Syn { node: node_from(&w.node), v: state }))
}

/// A new ServiceDocument object for core's document.
pub(crate) fn service_document_value(d: &ServiceDocument) -> Value {
    let state = ServiceDocumentState {
        workspaces: ObjectVector::view(
            netrt_kind::Workspace,
            d.workspaces.iter().map(|w| Object::new(workspace_value(w))).collect(),
        ),
    };
    Value::ServiceDocument(shared(Syn { node: node_from(&d.node), v: state }))
}

fn vector_out(v: VectorObject, out: *mut netrt_handle) -> Result<(), Error> {
    let out = Out::new(out, "out")?;
    out.write(issue_vector(v)?);
    Ok(())
}

/// `ServiceDocument.Workspaces`: an `IVectorView<Workspace>` (read-only). `*out` (not NULL)
/// receives a new vector reference.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_service_document_get_workspaces(
    document: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_service_document_get_workspaces", {
        let v = lock(&*get!(document, ServiceDocument)).v.workspaces.clone();
        vector_out(VectorObject::Objects(v), out)
    })
}

/// `Workspace.Title`: an ISyndicationText (SyndicationText handle), or 0. `*out` not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_workspace_get_title(
    workspace: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_workspace_get_title", { obj_out(lock(&*get!(workspace, Workspace)).v.title.clone(), out) })
}

/// `Workspace.Collections`: an `IVectorView<ResourceCollection>`. As
/// `netrt_service_document_get_workspaces`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_workspace_get_collections(
    workspace: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_workspace_get_collections", {
        let v = lock(&*get!(workspace, Workspace)).v.collections.clone();
        vector_out(VectorObject::Objects(v), out)
    })
}

/// `ResourceCollection.Title`: an ISyndicationText (SyndicationText handle), or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_resource_collection_get_title(
    collection: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_resource_collection_get_title", {
        obj_out(lock(&*get!(collection, ResourceCollection)).v.title.clone(), out)
    })
}

/// `ResourceCollection.Uri`: where entries are posted (a new Uri handle), or 0.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_resource_collection_get_uri(
    collection: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_resource_collection_get_uri", {
        uri_out(lock(&*get!(collection, ResourceCollection)).v.uri.clone(), out)
    })
}

/// `ResourceCollection.Accepts`: an `IVectorView<String>` of the media types it takes
/// (`netrt_vector_get_at_string`). As `netrt_service_document_get_workspaces`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_resource_collection_get_accepts(
    collection: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_resource_collection_get_accepts", {
        let v = lock(&*get!(collection, ResourceCollection)).v.accepts.clone();
        vector_out(VectorObject::Strings(Vector::view(v)), out)
    })
}

/// `ResourceCollection.Categories`: an `IVectorView<SyndicationCategory>`. As
/// `netrt_service_document_get_workspaces`.
#[unsafe(no_mangle)]
pub extern "C" fn netrt_resource_collection_get_categories(
    collection: netrt_handle,
    out: *mut netrt_handle,
) -> netrt_hresult {
    ffi!("netrt_resource_collection_get_categories", {
        let v = lock(&*get!(collection, ResourceCollection)).v.categories.clone();
        vector_out(VectorObject::Objects(v), out)
    })
}
