// Where code runs: netrt's completion queues (a netrt extension) and C++/WinRT's coroutine
// thread helpers — resume_background, resume_after, apartment_context — over the C ABI
// (docs/threading.md). Included by <netrt.hpp>.
#ifndef NETRT_IMPL_THREADING_HPP
#define NETRT_IMPL_THREADING_HPP

namespace netrt {

// netrt extension: a CompletionQueue. Handlers of operations started, and of event handlers
// added, on a thread where the queue is current (make_current) run inside dispatch() on the
// thread that calls it — an application's own event loop watches fd() for readability and
// calls dispatch(). So do coroutines that co_await netrt operations on that thread: they
// resume there. Closing the queue (Close(), or releasing its last reference) cancels the
// operations still bound to it; their handlers then run on netrt's dispatcher thread.
class completion_queue : public impl::object {
 public:
  completion_queue() : impl::object(take_ownership_from_abi, impl::make_handle(netrt_completion_queue_create)) {}
  NETRT_IMPL_CLASS(completion_queue)

  // The fd to watch for readability (owned by the queue: never read or close it).
  int fd() const { return get_value<int>(netrt_completion_queue_get_fd); }
  // Runs up to `max` waiting handlers on this thread; returns how many ran.
  uint32_t dispatch(uint32_t max = 64) const { return get_value<uint32_t>(netrt_completion_queue_dispatch, max); }
  void Close() const { call(netrt_completion_queue_close); }
  // Makes this queue the calling thread's current one.
  void make_current() const { call(netrt_completion_queue_make_current); }
  // No current queue on the calling thread any more: back to netrt's dispatcher thread.
  static void clear_current() { check_hresult(netrt_completion_queue_make_current(0)); }
  // The calling thread's current queue (empty when there is none).
  static completion_queue current() {
    return completion_queue(take_ownership_from_abi, impl::make_handle(netrt_completion_queue_get_current));
  }
};

#if NETRT_HAS_COROUTINES

namespace impl {

// A C callback that resumes the coroutine whose address it was given.
inline void resume_coroutine(void* address) noexcept { std::coroutine_handle<>::from_address(address).resume(); }

}  // namespace impl

// co_await resume_background(): the coroutine continues on a background thread of netrt's
// (never the dispatcher, never a runtime worker), where it may block.
[[nodiscard]] inline auto resume_background() noexcept {
  struct awaitable {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const {
      check_hresult(netrt_thread_pool_run(&impl::resume_coroutine, h.address()));
    }
    void await_resume() const noexcept {}
  };
  return awaitable{};
}

// co_await resume_after(duration): the coroutine continues on a background thread, as
// resume_background, once `duration` (a TimeSpan or any std::chrono duration, rounded up to
// 100 ns ticks) has passed; zero or negative durations do not suspend.
template <class Rep, class Period>
[[nodiscard]] inline auto resume_after(std::chrono::duration<Rep, Period> duration) noexcept {
  struct awaitable {
    Windows::Foundation::TimeSpan delay;
    bool await_ready() const noexcept { return delay.count() <= 0; }
    void await_suspend(std::coroutine_handle<> h) const {
      check_hresult(netrt_thread_pool_run_after(delay.count(), &impl::resume_coroutine, h.address()));
    }
    void await_resume() const noexcept {}
  };
  return awaitable{std::chrono::ceil<Windows::Foundation::TimeSpan>(duration)};
}

// Captures where the constructing code runs — the thread's current completion queue if there
// is one, else netrt's dispatcher thread — and `co_await context` resumes the coroutine there
// (inside that queue's dispatch; on the dispatcher if the queue was closed meanwhile).
class apartment_context {
 public:
  apartment_context() : m_queue(completion_queue::current()) {}

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    check_hresult(netrt_completion_queue_post(m_queue.handle(), &impl::resume_coroutine, h.address()));
  }
  void await_resume() const noexcept {}

  // The captured queue (empty: netrt's dispatcher thread).
  completion_queue const& queue() const noexcept { return m_queue; }

 private:
  completion_queue m_queue;
};

#endif

}  // namespace netrt

#endif  // NETRT_IMPL_THREADING_HPP
