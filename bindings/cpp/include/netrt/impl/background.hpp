// Windows.ApplicationModel.Background as far as the socket broker needs it (docs/broker.md):
// BackgroundTaskBuilder + SocketActivityTrigger register a task whose TaskEntryPoint is the
// command line netrt-brokerd runs; BackgroundTaskInstance::Current() (netrt) is the instance of
// the task in the process the broker started.
#ifndef NETRT_IMPL_BACKGROUND_HPP
#define NETRT_IMPL_BACKGROUND_HPP

#ifndef NETRT_HPP
#error "include <netrt.hpp> (or a <netrt/Windows.*.h> header) instead"
#endif

namespace netrt::Windows::ApplicationModel::Background {

// `SocketActivityTrigger`.
class SocketActivityTrigger {
 public:
  SocketActivityTrigger() noexcept = default;
  // Linux has no connected standby to wake from.
  bool IsWakeFromLowPowerSupported() const noexcept { return false; }
};

// `BackgroundTaskRegistration`.
class BackgroundTaskRegistration : public ::netrt::impl::object {
 public:
  NETRT_IMPL_CLASS(BackgroundTaskRegistration)
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
  void SetTrigger(SocketActivityTrigger const&) { m_trigger = true; }
  BackgroundTaskRegistration Register() const {
    if (!m_trigger) throw hresult_invalid_argument(hstring(L"BackgroundTaskBuilder.Register: no trigger was set (SetTrigger)"));
    ::netrt::impl::str_in name(m_name), entry(m_entry_point);
    return BackgroundTaskRegistration(take_ownership_from_abi, ::netrt::impl::make_handle(
        netrt_background_task_register_socket_activity, name.c_str(), entry.c_str()));
  }

 private:
  hstring m_name, m_entry_point;
  bool m_trigger = false;
};

// `IBackgroundTaskInstance` of a task the socket broker started.
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
  ::netrt::Windows::Networking::Sockets::SocketActivityTriggerDetails TriggerDetails() const {
    return get_object<::netrt::Windows::Networking::Sockets::SocketActivityTriggerDetails>(
        netrt_background_task_instance_get_trigger_details);
  }
};

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
