//! DataWriter / DataReader over real sockets: the samples' length-prefixed hello, every byte
//! order and encoding, and LoadAsync semantics with data arriving in pieces.

mod util;

use netrt::error::hresult::*;
use netrt::io::{ByteOrder, InputStreamOptions, UnicodeEncoding};
use netrt::{DataReader, DataWriter};
use util::*;

#[tokio::test(flavor = "multi_thread")]
async fn length_prefixed_hello_in_every_order_and_encoding() {
    let (client, server, _l) = connected_pair().await;
    let hello = "Hello, World! ☺ ";
    for order in [ByteOrder::BigEndian, ByteOrder::LittleEndian] {
        for enc in [UnicodeEncoding::Utf8, UnicodeEncoding::Utf16LE, UnicodeEncoding::Utf16BE] {
            let writer = DataWriter::with_stream(client.output_stream());
            writer.set_byte_order(order).unwrap();
            writer.set_unicode_encoding(enc).unwrap();
            let len = writer.measure_string(hello).unwrap();
            writer.write_int32(len as i32).unwrap();
            assert_eq!(writer.write_string(hello).unwrap(), len);
            writer.write_double(2.5).unwrap();
            assert_eq!(within(writer.store()).await.unwrap(), 4 + len + 8);
            writer.detach_stream().unwrap();

            let reader = DataReader::new(server.input_stream());
            reader.set_byte_order(order).unwrap();
            reader.set_unicode_encoding(enc).unwrap();
            assert_eq!(within(reader.load(4)).await.unwrap(), 4);
            let n = reader.read_int32().unwrap() as u32;
            assert_eq!(n, len);
            within(reader.load(n + 8)).await.unwrap();
            let units = if enc == UnicodeEncoding::Utf8 { n } else { n / 2 };
            assert_eq!(reader.read_string(units).unwrap(), hello);
            assert_eq!(reader.read_double().unwrap(), 2.5);
            assert_eq!(reader.read_byte().unwrap_err().hresult(), E_BOUNDS);
            reader.detach_stream().unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn load_partial_returns_early_and_none_waits_for_count() {
    let (client, server, _l) = connected_pair().await;
    let reader = DataReader::new(server.input_stream());
    reader.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    within(client.write_all(b"abc")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(within(reader.load(100)).await.unwrap(), 3, "Partial completes with what is there");
    assert_eq!(reader.read_string(3).unwrap(), "abc");

    reader.set_input_stream_options(InputStreamOptions::None).unwrap();
    let writer_sock = client.clone();
    let writer = tokio::spawn(async move {
        for chunk in [&b"12"[..], b"34", b"56"] {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            writer_sock.write_all(chunk).await.unwrap();
        }
    });
    assert_eq!(within(reader.load(6)).await.unwrap(), 6, "None waits for all six bytes");
    assert_eq!(reader.read_string(6).unwrap(), "123456");
    writer.await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn load_on_closed_peer_returns_what_arrived() {
    let (client, server, _l) = connected_pair().await;
    within(client.write_all(b"xy")).await.unwrap();
    client.close();
    let reader = DataReader::new(server.input_stream());
    assert_eq!(within(reader.load(10)).await.unwrap(), 2);
    assert_eq!(within(reader.load(10)).await.unwrap(), 0, "end of stream");
    assert_eq!(reader.read_uint32().unwrap_err().hresult(), E_BOUNDS);
    assert_eq!(reader.unconsumed_buffer_length().unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_load_count_does_not_allocate_it() {
    let (client, server, _l) = connected_pair().await;
    let reader = DataReader::new(server.input_stream());
    reader.set_input_stream_options(InputStreamOptions::Partial).unwrap();
    within(client.write_all(&[1u8; 10])).await.unwrap();
    assert_eq!(within(reader.load(u32::MAX)).await.unwrap(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn writer_dropped_without_detach_closes_the_socket() {
    let (client, server, _l) = connected_pair().await;
    {
        let writer = DataWriter::with_stream(client.output_stream());
        writer.write_byte(1).unwrap();
        within(writer.store()).await.unwrap();
    }
    assert_eq!(within(client.write_all(b"x")).await.unwrap_err().hresult(), RO_E_CLOSED);
    assert_eq!(read_exact(&server, 1).await, [1]);
}
