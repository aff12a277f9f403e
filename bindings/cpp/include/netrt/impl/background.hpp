// Windows.ApplicationModel.Background as far as the socket broker needs it (docs/broker.md):
// BackgroundTaskBuilder + SocketActivityTrigger register a task whose TaskEntryPoint is the
// command line netrt-brokerd runs; BackgroundTaskInstance::Current() (netrt) is the instance of
// the task in the process the broker started.
#ifndef NETRT_IMPL_BACKGROUND_HPP
#define NETRT_IMPL_BACKGROUND_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt::Windows::Networking::Sockets {

class ControlChannelTrigger;

// A ControlChannelTrigger's KeepAliveTrigger or PushNotificationTrigger (an IBackgroundTrigger
// for BackgroundTaskBuilder::SetTrigger).
class ControlChannelBackgroundTrigger {
 public:
  ControlChannelBackgroundTrigger(netrt_handle trigger, bool push) noexcept : m_trigger(trigger), m_push(push) {}
  netrt_handle trigger_handle() const noexcept { return m_trigger; }
  bool is_push() const noexcept { return m_push; }

 private:
  netrt_handle m_trigger;  // borrowed from the ControlChannelTrigger it came from
  bool m_push;
};

// `ControlChannelTrigger`: keeps a connection's background tasks — KeepAliveTrigger runs its
// task every keep-alive interval, PushNotificationTrigger when bytes arrive while no read is
// pending. The tasks run in this process (RegisterTaskEntryPoint). Close() stops both.
class ControlChannelTrigger : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ControlChannelTrigger)
  ControlChannelTrigger(::netrt::impl::str_in channelId, uint32_t serverKeepAliveIntervalInMinutes)
      : object(take_ownership_from_abi, ::netrt::impl::make_handle(netrt_control_channel_trigger_create, channelId.c_str(),
                                                                   serverKeepAliveIntervalInMinutes)) {}
  ControlChannelTrigger(::netrt::impl::str_in channelId, uint32_t serverKeepAliveIntervalInMinutes,
                        ControlChannelTriggerResourceType resourceRequestType)
      : object(take_ownership_from_abi,
               ::netrt::impl::make_handle(netrt_control_channel_trigger_create_with_resource_type, channelId.c_str(),
                                          serverKeepAliveIntervalInMinutes, static_cast<int32_t>(resourceRequestType))) {}

  hstring ControlChannelTriggerId() const { return get_string(netrt_control_channel_trigger_get_control_channel_trigger_id); }
  uint32_t ServerKeepAliveIntervalInMinutes() const {
    return get_value<uint32_t>(netrt_control_channel_trigger_get_server_keep_alive_interval_in_minutes);
  }
  void ServerKeepAliveIntervalInMinutes(uint32_t value) const {
    call(netrt_control_channel_trigger_set_server_keep_alive_interval_in_minutes, value);
  }
  uint32_t CurrentKeepAliveIntervalInMinutes() const {
    return get_value<uint32_t>(netrt_control_channel_trigger_get_current_keep_alive_interval_in_minutes);
  }
  // netrt extension: the keep-alive interval in seconds (below WinRT's 15-minute floor).
  uint32_t KeepAliveIntervalInSeconds() const {
    return get_value<uint32_t>(netrt_control_channel_trigger_get_keep_alive_interval_in_seconds);
  }
  void KeepAliveIntervalInSeconds(uint32_t value) const { call(netrt_control_channel_trigger_set_keep_alive_interval_in_seconds, value); }
  bool IsWakeFromLowPowerSupported() const {
    return get_value<bool>(netrt_control_channel_trigger_get_is_wake_from_low_power_supported);
  }
  ControlChannelBackgroundTrigger KeepAliveTrigger() const { return {handle(), false}; }
  ControlChannelBackgroundTrigger PushNotificationTrigger() const { return {handle(), true}; }
  // A StreamSocket, MessageWebSocket or StreamWebSocket (another class: E_INVALIDARG).
  template <class Transport>
  void UsingTransport(Transport const& transport) const {
    call(netrt_control_channel_trigger_using_transport, transport.handle());
  }
  ControlChannelTriggerStatus WaitForPushEnabled() const {
    return static_cast<ControlChannelTriggerStatus>(
        get_value<netrt_control_channel_trigger_status>(netrt_control_channel_trigger_wait_for_push_enabled));
  }
  void DecreaseNetworkKeepAliveInterval() const { call(netrt_control_channel_trigger_decrease_network_keep_alive_interval); }
  void FlushTransport() const { call(netrt_control_channel_trigger_flush_transport); }
  void Close() const { call(netrt_close); }
};

// `IControlChannelTriggerEventDetails`: the trigger details of a ControlChannelTrigger's task.
class IControlChannelTriggerEventDetails : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(IControlChannelTriggerEventDetails)
  static constexpr netrt_kind abi_kind = NETRT_KIND_CONTROL_CHANNEL_TRIGGER_EVENT_DETAILS;
  Sockets::ControlChannelTrigger ControlChannelTrigger() const {
    return get_object<Sockets::ControlChannelTrigger>(netrt_control_channel_trigger_event_details_get_control_channel_trigger);
  }
};

}  // namespace netrt::Windows::Networking::Sockets

namespace netrt::Windows::ApplicationModel::Background {

// `SocketActivityTrigger`.
class SocketActivityTrigger {
 public:
  SocketActivityTrigger() noexcept = default;
  // Linux has no connected standby to wake from.
  bool IsWakeFromLowPowerSupported() const noexcept { return false; }
};

// `BackgroundTaskCompletedEventArgs`.
class BackgroundTaskCompletedEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTaskCompletedEventArgs)
  guid InstanceId() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(
        get_value<netrt_guid>(netrt_background_task_completed_event_args_get_instance_id));
  }
  // Throws when the run failed.
  void CheckResult() const { call(netrt_background_task_completed_event_args_check_result); }
};

// `BackgroundTaskProgressEventArgs`.
class BackgroundTaskProgressEventArgs : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTaskProgressEventArgs)
  guid InstanceId() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(
        get_value<netrt_guid>(netrt_background_task_progress_event_args_get_instance_id));
  }
  uint32_t Progress() const { return get_value<uint32_t>(netrt_background_task_progress_event_args_get_progress); }
};

class BackgroundTaskRegistration;
using BackgroundTaskCompletedEventHandler =
    ::netrt::delegate<BackgroundTaskRegistration const&, BackgroundTaskCompletedEventArgs const&>;
using BackgroundTaskProgressEventHandler =
    ::netrt::delegate<BackgroundTaskRegistration const&, BackgroundTaskProgressEventArgs const&>;

// `BackgroundTaskRegistration`.
class BackgroundTaskRegistration : public ::netrt::impl::object {
 public:
  BackgroundTaskRegistration(std::nullptr_t) noexcept {}
  BackgroundTaskRegistration(::netrt::take_ownership_from_abi_t, netrt_handle h)
      : object(::netrt::take_ownership_from_abi, h), m_events(::netrt::impl::make_registry(h)) {}
  // Completed / Progress: raised for runs of the task in this process (a ControlChannelTrigger's
  // tasks); handlers run on netrt's dispatcher thread.
  event_token Completed(BackgroundTaskCompletedEventHandler const& handler) const {
    return registry().add(netrt_background_task_registration_add_completed, netrt_background_task_registration_remove_completed,
                          [handler](netrt_handle sender, netrt_handle args) {
                            BackgroundTaskRegistration s(take_ownership_from_abi, ::netrt::impl::duplicate(sender));
                            BackgroundTaskCompletedEventArgs a(take_ownership_from_abi, ::netrt::impl::duplicate(args));
                            handler(s, a);
                          });
  }
  void Completed(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, netrt_background_task_registration_remove_completed);
  }
  event_token Progress(BackgroundTaskProgressEventHandler const& handler) const {
    return registry().add(netrt_background_task_registration_add_progress, netrt_background_task_registration_remove_progress,
                          [handler](netrt_handle sender, netrt_handle args) {
                            BackgroundTaskRegistration s(take_ownership_from_abi, ::netrt::impl::duplicate(sender));
                            BackgroundTaskProgressEventArgs a(take_ownership_from_abi, ::netrt::impl::duplicate(args));
                            handler(s, a);
                          });
  }
  void Progress(event_token const& token) const noexcept {
    if (m_events) m_events->revoke(token, netrt_background_task_registration_remove_progress);
  }
  guid TaskId() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(
        get_value<netrt_guid>(netrt_background_task_registration_get_task_id));
  }
  hstring Name() const { return get_string(netrt_background_task_registration_get_name); }
  void Unregister(bool cancelTask) const { call(netrt_background_task_registration_unregister, cancelTask); }
  // `AllTasks` (static): the tasks registered with the broker, by task id (a snapshot).
  static ::netrt::Windows::Foundation::Collections::IMapView<guid, BackgroundTaskRegistration> AllTasks() {
    return {take_ownership_from_abi, ::netrt::impl::make_handle(netrt_background_task_registration_get_all_tasks)};
  }
  // netrt: subscribes this running process to the task's activations (defined below).
  class ActivationSubscription Subscribe() const;

 private:
  ::netrt::impl::event_registry& registry() const {
    if (!m_events) throw_hresult(NETRT_E_POINTER, "BackgroundTaskRegistration is empty");
    return *m_events;
  }
  std::shared_ptr<::netrt::impl::event_registry> m_events;
};

// C++/WinRT's AllTasks values are the interface; netrt has one registration class.
using IBackgroundTaskRegistration = BackgroundTaskRegistration;

// `BackgroundTaskBuilder` (Name, TaskEntryPoint = the command line, SetTrigger, Register).
class BackgroundTaskBuilder {
 public:
  BackgroundTaskBuilder() = default;
  hstring Name() const { return m_name; }
  void Name(hstring const& value) { m_name = value; }
  hstring TaskEntryPoint() const { return m_entry_point; }
  void TaskEntryPoint(hstring const& value) { m_entry_point = value; }
  void SetTrigger(SocketActivityTrigger const&) {
    m_trigger = true;
    m_channel = nullptr;
  }
  // A ControlChannelTrigger's KeepAliveTrigger() / PushNotificationTrigger(): the task runs in
  // this process (RegisterTaskEntryPoint).
  void SetTrigger(::netrt::Windows::Networking::Sockets::ControlChannelBackgroundTrigger const& trigger) {
    m_trigger = true;
    m_channel = ::netrt::Windows::Networking::Sockets::ControlChannelTrigger(
        take_ownership_from_abi, ::netrt::impl::duplicate(trigger.trigger_handle()));
    m_push = trigger.is_push();
  }
  BackgroundTaskRegistration Register() const {
    if (!m_trigger) throw hresult_invalid_argument(hstring(L"BackgroundTaskBuilder.Register: no trigger was set (SetTrigger)"));
    ::netrt::impl::str_in name(m_name), entry(m_entry_point);
    if (m_channel) {
      return BackgroundTaskRegistration(
          take_ownership_from_abi,
          ::netrt::impl::make_handle(m_push ? netrt_background_task_register_control_channel_push_notification
                                            : netrt_background_task_register_control_channel_keep_alive,
                                     name.c_str(), entry.c_str(), m_channel.handle()));
    }
    return BackgroundTaskRegistration(take_ownership_from_abi, ::netrt::impl::make_handle(
        netrt_background_task_register_socket_activity, name.c_str(), entry.c_str()));
  }

 private:
  hstring m_name, m_entry_point;
  bool m_trigger = false;
  ::netrt::Windows::Networking::Sockets::ControlChannelTrigger m_channel{nullptr};
  bool m_push = false;
};

// `BackgroundTaskDeferral`: Complete() when the task's work is done.
class BackgroundTaskDeferral : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTaskDeferral)
  void Complete() const { call(netrt_background_task_deferral_complete); }
};

// `IBackgroundTaskInstance` of a task the socket broker started (or a ControlChannelTrigger ran).
class BackgroundTaskInstance : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTaskInstance)
  // netrt: the instance this process was started for, or an empty object (false) when the
  // broker did not start it.
  static BackgroundTaskInstance Current() {
    netrt_handle h = 0;
    check_hresult(netrt_background_task_instance_get_current(&h));
    return BackgroundTaskInstance(take_ownership_from_abi, h);
  }
  guid InstanceId() const {
    return ::netrt::Windows::Networking::Sockets::broker_abi::from_abi_guid(
        get_value<netrt_guid>(netrt_background_task_instance_get_instance_id));
  }
  // The details' class depends on the trigger: read them with .as<SocketActivityTriggerDetails>()
  // or .as<IControlChannelTriggerEventDetails>(), as C++/WinRT code does.
  ::netrt::Windows::Networking::Sockets::SocketActivityTriggerDetails TriggerDetails() const {
    return get_object<::netrt::Windows::Networking::Sockets::SocketActivityTriggerDetails>(
        netrt_background_task_instance_get_trigger_details);
  }
  BackgroundTaskDeferral GetDeferral() const { return get_object<BackgroundTaskDeferral>(netrt_background_task_instance_get_deferral); }
  uint32_t Progress() const { return get_value<uint32_t>(netrt_background_task_instance_get_progress); }
  void Progress(uint32_t value) const { call(netrt_background_task_instance_set_progress, value); }

  // Canceled: an in-process run whose task is unregistered with cancelTask, or whose
  // ControlChannelTrigger closes, before it completed (Abort). Runs on netrt's dispatcher thread.
  event_token Canceled(::netrt::delegate<BackgroundTaskInstance const&, BackgroundTaskCancellationReason> const& handler) const {
    auto& table = ::netrt::impl::handler_table::get();
    uint64_t id = table.add(std::make_shared<::netrt::impl::event_fn>([handler](netrt_handle sender, netrt_handle reason) {
      handler(BackgroundTaskInstance(take_ownership_from_abi, ::netrt::impl::duplicate(sender)),
              static_cast<BackgroundTaskCancellationReason>(reason));
    }));
    int64_t token = 0;
    int32_t hr = netrt_background_task_instance_add_canceled(handle(), &canceled_trampoline,
                                                             reinterpret_cast<void*>(static_cast<uintptr_t>(id)), &token);
    if (hr < 0) {
      std::string detail = ::netrt::impl::last_error_detail();
      table.erase(id);
      throw_hresult(hr, std::move(detail));
    }
    std::lock_guard<std::mutex> lock(canceled_ids().mutex);
    canceled_ids().by_token[token] = id;
    return event_token{token};
  }
  void Canceled(event_token const& token) const noexcept {
    (void)netrt_background_task_instance_remove_canceled(handle(), token.value);
    uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(canceled_ids().mutex);
      auto it = canceled_ids().by_token.find(token.value);
      if (it == canceled_ids().by_token.end()) return;
      id = it->second;
      canceled_ids().by_token.erase(it);
    }
    ::netrt::impl::handler_table::get().erase(id);
  }

 private:
  struct canceled_table {
    std::mutex mutex;
    std::unordered_map<int64_t, uint64_t> by_token;
  };
  static canceled_table& canceled_ids() {
    static canceled_table* t = new canceled_table;  // never destroyed, like the handler table
    return *t;
  }
  static void canceled_trampoline(void* user_data, netrt_handle sender, netrt_background_task_cancellation_reason reason) noexcept {
    auto fn = ::netrt::impl::handler_table::get().find(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(user_data)));
    if (!fn) return;
    try {
      (*fn)(sender, static_cast<netrt_handle>(reason));
    } catch (...) {
      // No exception crosses into the C library.
    }
  }
};

namespace impl_entry {
// The C++ code behind each entry point; the C user_data is an id into this table, never a pointer.
struct table {
  std::mutex mutex;
  std::unordered_map<uint64_t, std::function<void(BackgroundTaskInstance const&)>> by_id;
  uint64_t next = 1;
  static table& get() {
    static table* t = new table;  // never destroyed: a task may run during exit
    return *t;
  }
};
inline void trampoline(void* user_data, netrt_handle instance) noexcept {
  std::function<void(BackgroundTaskInstance const&)> fn;
  {
    auto& t = table::get();
    std::lock_guard<std::mutex> lock(t.mutex);
    auto it = t.by_id.find(static_cast<uint64_t>(reinterpret_cast<uintptr_t>(user_data)));
    if (it == t.by_id.end()) return;
    fn = it->second;
  }
  try {
    fn(BackgroundTaskInstance(take_ownership_from_abi, ::netrt::impl::duplicate(instance)));
  } catch (...) {
    // No exception crosses into the C library.
  }
}
}  // namespace impl_entry

// netrt: the code of the in-process tasks whose TaskEntryPoint is `entryPoint` (a
// ControlChannelTrigger's tasks; WinRT activates the class the entry point names). It runs on a
// netrt thread. A second registration under the same name replaces the first.
inline void RegisterTaskEntryPoint(::netrt::impl::str_in entryPoint, std::function<void(BackgroundTaskInstance const&)> run) {
  auto& t = impl_entry::table::get();
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(t.mutex);
    id = t.next++;
    t.by_id.emplace(id, std::move(run));
  }
  check_hresult(netrt_background_task_register_entry_point(entryPoint.c_str(), &impl_entry::trampoline,
                                                           reinterpret_cast<void*>(static_cast<uintptr_t>(id))));
}

// netrt: removes the code registered for `entryPoint`; false when there was none.
inline bool UnregisterTaskEntryPoint(::netrt::impl::str_in entryPoint) {
  int32_t hr = netrt_background_task_unregister_entry_point(entryPoint.c_str());
  check_hresult(hr);
  return hr == 0;
}

// netrt: a running instance's feed of its task's activations; while it is open the broker
// hands them to it instead of starting the task's command. Close() ends it (also a wait in
// another thread, which then throws RO_E_CLOSED).
class ActivationSubscription : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(ActivationSubscription)
  // The next activation; an empty instance (false) when `timeout` passed first.
  template <class Rep, class Period>
  BackgroundTaskInstance NextActivation(std::chrono::duration<Rep, Period> timeout) const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
    return next(ms < 0 ? 0 : static_cast<int64_t>(ms));
  }
  // The next activation, waiting with no limit.
  BackgroundTaskInstance NextActivation() const { return next(-1); }
  void Close() const { call(netrt_close); }

 private:
  BackgroundTaskInstance next(int64_t timeout_ms) const {
    netrt_handle h = 0;
    check_hresult(netrt_activation_subscription_next_activation(handle(), timeout_ms, &h));
    return BackgroundTaskInstance(take_ownership_from_abi, h);
  }
};

inline ActivationSubscription BackgroundTaskRegistration::Subscribe() const {
  return get_object<ActivationSubscription>(netrt_background_task_registration_subscribe);
}

}  // namespace netrt::Windows::ApplicationModel::Background

#endif
