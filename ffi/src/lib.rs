//! libnetrt: the C ABI of netrt (conventions: docs/projections.md, docs/handles.md,
//! docs/async.md, docs/errors.md).
//!
//! Thin by design: argument conversion, the handle table, asynchronous operations and error
//! projection. All networking behaviour lives in the core crate (`netrt_core` here).
//!
//! Every exported function has the same shape (see `boundary`): a panic boundary, argument
//! guards that return early, one call into the core, out-parameters written only on success,
//! and an HRESULT as the return value. The header `include/netrt.h` is generated from this
//! crate by cbindgen (`make header`); the doc comments below are its reference manual.
#![allow(non_camel_case_types)]

#[macro_use]
mod boundary;
mod enums_generated;
mod fork;
mod handle;
mod object;
mod read_into;
mod strings;
mod write_from;

pub mod app_manifest;
pub mod async_op;
pub mod async_progress;
pub mod atompub_client;
pub mod atompub_service;
pub mod background_transfer;
pub mod broker;
pub mod broker_views;
pub mod buffer;
pub mod certificate;
pub mod certificate_chain;
pub mod certificate_extension;
pub mod chain_building;
pub mod completion_queue;
pub mod control_channel;
pub mod credential;
pub mod data_reader;
pub mod data_writer;
pub mod datagram;
pub mod enums;
pub mod error;
pub mod event;
pub mod foundation;
pub mod host_name;
pub mod listener;
pub mod message_web_socket;
pub mod object_api;
pub mod storage;
pub mod stream_socket;
pub mod stream_web_socket;
pub mod streams;
pub mod syndication_client;
pub mod syndication_feed;
pub mod syndication_item;
pub mod syndication_link;
pub mod syndication_node;
pub mod syndication_person;
mod syndication_state;
pub mod syndication_text;
pub mod tls;
pub mod uri;
pub mod vector;
pub mod web_socket_args;
pub mod web_socket_control;
pub mod web_socket_information;
pub mod xml_document;

pub use boundary::{netrt_handle, netrt_hresult};

#[cfg(test)]
mod abi_tests;
#[cfg(test)]
mod borrowed_handle_tests;
#[cfg(test)]
mod settled_write_tests;
#[cfg(test)]
mod stream_handle_tests;
