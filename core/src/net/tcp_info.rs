//! `RoundTripTimeStatistics` and `BandwidthStatistics` from Linux `TCP_INFO`.
//!
//! Linux has no exact equivalent of Windows' extended TCP statistics (ESTATS), so netrt derives
//! them from the kernel's own estimators, sampled when the statistics are read:
//! - `Min` = `tcpi_min_rtt` (the kernel's windowed minimum RTT);
//! - `Max` = the largest smoothed RTT (`tcpi_rtt`) netrt has sampled on this socket;
//! - `Sum` = the sum of the smoothed RTT samples netrt took (one per read of the statistics and
//!   one at close), so `Sum` grows like Windows' `SumRtt` but over fewer samples. None is taken
//!   at connect: a `TCP_INFO` there would sit between a TLS client's Finished and its next
//!   record, and the first read samples anyway;
//! - `Variance` = `tcpi_rttvar` (the kernel's RTT mean deviation).
//! - Outbound bandwidth = `tcpi_delivery_rate` (bytes/s × 8); inbound = the receiver's estimate
//!   `tcpi_rcv_space` per `tcpi_rcv_rtt`. Instability = the spread between the last two samples;
//!   "peaked" = the estimate did not grow between those samples while data kept flowing.

use std::os::fd::AsRawFd;

/// `RoundTripTimeStatistics` (microseconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundTripTimeStatistics {
    /// RTT variance (µs).
    pub variance: u32,
    /// Largest RTT seen (µs).
    pub max: u32,
    /// Smallest RTT seen (µs).
    pub min: u32,
    /// Sum of RTT samples (µs).
    pub sum: u32,
}

/// `BandwidthStatistics` (bits per second).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BandwidthStatistics {
    /// Estimated outbound bandwidth.
    pub outbound_bits_per_second: u64,
    /// Estimated inbound bandwidth.
    pub inbound_bits_per_second: u64,
    /// Outbound estimate instability.
    pub outbound_bits_per_second_instability: u64,
    /// Inbound estimate instability.
    pub inbound_bits_per_second_instability: u64,
    /// Whether outbound bandwidth appears to have peaked.
    pub outbound_bandwidth_peaked: bool,
    /// Whether inbound bandwidth appears to have peaked.
    pub inbound_bandwidth_peaked: bool,
}

/// The kernel's `struct tcp_info` up to `tcpi_delivery_rate` (uapi/linux/tcp.h; the layout is
/// append-only, and the kernel fills only what both sides know).
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct KernelTcpInfo {
    head: [u8; 8],
    rto: u32,
    ato: u32,
    snd_mss: u32,
    rcv_mss: u32,
    unacked: u32,
    sacked: u32,
    lost: u32,
    retrans: u32,
    fackets: u32,
    last_data_sent: u32,
    last_ack_sent: u32,
    last_data_recv: u32,
    last_ack_recv: u32,
    pmtu: u32,
    rcv_ssthresh: u32,
    rtt: u32,
    rttvar: u32,
    snd_ssthresh: u32,
    snd_cwnd: u32,
    advmss: u32,
    reordering: u32,
    rcv_rtt: u32,
    rcv_space: u32,
    total_retrans: u32,
    pacing_rate: u64,
    max_pacing_rate: u64,
    bytes_acked: u64,
    bytes_received: u64,
    segs_out: u32,
    segs_in: u32,
    notsent_bytes: u32,
    min_rtt: u32,
    data_segs_in: u32,
    data_segs_out: u32,
    delivery_rate: u64,
}

/// Per-socket accumulated samples.
#[derive(Debug, Default)]
pub(crate) struct StatsTracker {
    rtt_max: u32,
    rtt_sum: u32,
    last_out: u64,
    last_in: u64,
    last_bytes_acked: u64,
    last_bytes_received: u64,
}

fn read_tcp_info(fd: &impl AsRawFd) -> std::io::Result<KernelTcpInfo> {
    let mut info = KernelTcpInfo::default();
    let mut len = std::mem::size_of::<KernelTcpInfo>() as libc::socklen_t;
    // SAFETY: info is a writable buffer of len bytes; the kernel writes at most len bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            &mut info as *mut KernelTcpInfo as *mut libc::c_void,
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(info)
}

impl StatsTracker {
    /// Samples TCP_INFO and returns both statistics.
    pub(crate) fn sample(
        &mut self,
        fd: &impl AsRawFd,
    ) -> std::io::Result<(RoundTripTimeStatistics, BandwidthStatistics)> {
        let info = read_tcp_info(fd)?;
        self.rtt_max = self.rtt_max.max(info.rtt);
        self.rtt_sum = self.rtt_sum.saturating_add(info.rtt);
        let rtt = RoundTripTimeStatistics {
            variance: info.rttvar,
            max: self.rtt_max,
            min: if info.min_rtt == 0 || info.min_rtt == u32::MAX { info.rtt } else { info.min_rtt },
            sum: self.rtt_sum,
        };
        let outbound = info.delivery_rate.saturating_mul(8);
        let inbound = if info.rcv_rtt > 0 {
            (info.rcv_space as u64).saturating_mul(8_000_000) / info.rcv_rtt as u64
        } else {
            0
        };
        let flowing_out = info.bytes_acked > self.last_bytes_acked;
        let flowing_in = info.bytes_received > self.last_bytes_received;
        let bw = BandwidthStatistics {
            outbound_bits_per_second: outbound,
            inbound_bits_per_second: inbound,
            outbound_bits_per_second_instability: outbound.abs_diff(self.last_out),
            inbound_bits_per_second_instability: inbound.abs_diff(self.last_in),
            outbound_bandwidth_peaked: flowing_out && self.last_out > 0 && outbound <= self.last_out,
            inbound_bandwidth_peaked: flowing_in && self.last_in > 0 && inbound <= self.last_in,
        };
        self.last_out = outbound;
        self.last_in = inbound;
        self.last_bytes_acked = info.bytes_acked;
        self.last_bytes_received = info.bytes_received;
        Ok((rtt, bw))
    }
}
