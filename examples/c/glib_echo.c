/* netrt inside a GLib main loop: the completion queue's fd is a GLib source
 * (g_unix_fd_add), and its callback dispatches the queue, so every handler of the echo server
 * and client (cq_echo.h) runs on the main loop's thread.
 *
 *   gcc glib_echo.c $(pkg-config --cflags --libs glib-2.0) -lnetrt    (make test-c builds and runs it) */
#include <glib-unix.h>
#include <glib.h>

#include "cq_echo.h"

struct app {
  struct cq_echo echo;
  netrt_handle queue;
  GMainLoop *loop;
  guint handlers;
};

/* The queue's fd is readable: run what waits (up to 64 at a time; the fd stays readable while
 * more remain, so GLib calls again). */
static gboolean on_queue_ready(gint fd, GIOCondition condition, gpointer user_data) {
  struct app *app = user_data;
  uint32_t ran = 0;
  (void)fd;
  (void)condition;
  netrt_hresult hr = netrt_completion_queue_dispatch(app->queue, 64, &ran);
  if (hr != NETRT_S_OK) cq_echo_fail(&app->echo, "netrt_completion_queue_dispatch", hr);
  app->handlers += ran;
  if (cq_echo_over(&app->echo)) g_main_loop_quit(app->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer user_data) {
  struct app *app = user_data;
  fprintf(stderr, "glib_echo: not done after 10 s\n");
  app->echo.failed = 1;
  g_main_loop_quit(app->loop);
  return G_SOURCE_REMOVE;
}

int main(void) {
  struct app app = {0};
  int fd = -1;
  setvbuf(stdout, NULL, _IOLBF, 0);
  netrt_hresult hr = netrt_completion_queue_create(&app.queue);
  if (hr == NETRT_S_OK) hr = netrt_completion_queue_get_fd(app.queue, &fd);
  if (hr == NETRT_S_OK) hr = netrt_completion_queue_make_current(app.queue);
  if (hr != NETRT_S_OK) {
    fprintf(stderr, "creating the completion queue failed: 0x%08X\n", (unsigned)hr);
    return 1;
  }
  app.loop = g_main_loop_new(NULL, FALSE);
  guint watch = g_unix_fd_add(fd, G_IO_IN, on_queue_ready, &app);
  guint timer = g_timeout_add_seconds(10, on_timeout, &app);
  if (cq_echo_start(&app.echo)) g_main_loop_run(app.loop);
  printf("GLib main loop: %u handlers ran on the main loop's thread\n", app.handlers);
  g_source_remove(watch);
  if (!app.echo.failed) g_source_remove(timer);
  g_main_loop_unref(app.loop);
  cq_echo_release(&app.echo);
  netrt_completion_queue_make_current(0);
  netrt_release(app.queue);
  return app.echo.failed ? 1 : 0;
}
