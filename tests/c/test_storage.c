/* Windows.Storage from C (docs/storage.md): StorageFile.GetFileFromPathAsync, StorageFolder.
 * GetFolderFromPathAsync and CreateFileAsync with each CreationCollisionOption against a real
 * temporary directory; the errors (missing file, wrong type, taken name, bad arguments); and
 * NULL / never issued / released / wrong-kind handles. */
#include "common.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256];

/* `fn(h)` must succeed and equal `want`. */
typedef netrt_hresult (*string_fn)(netrt_handle, char *, size_t, size_t *);
static int string_is(string_fn fn, netrt_handle h, const char *want, const char *what) {
  char buf[512];
  size_t needed = 0;
  netrt_hresult hr = fn(h, buf, sizeof buf, &needed);
  if (hr != NETRT_S_OK || strcmp(buf, want) != 0 || needed != strlen(want) + 1) {
    fprintf(stderr, "    %s: hr 0x%08X, \"%s\", expected \"%s\"\n", what, (unsigned)hr,
            hr == NETRT_S_OK ? buf : "", want);
    return 0;
  }
  return 1;
}
#define STRING_IS(fn, h, want) CHECK(string_is(fn, h, want, #fn))

/* Waits for `op` and returns its error code (S_OK when Completed); releases nothing. */
static netrt_hresult outcome(netrt_handle op) {
  netrt_async_status status = NETRT_ASYNC_STATUS_STARTED;
  netrt_hresult code = 0;
  if (netrt_async_wait(op, STEP_MS) != NETRT_S_OK || netrt_async_get_status(op, &status) != NETRT_S_OK ||
      netrt_async_get_error_code(op, &code) != NETRT_S_OK) {
    return NETRT_E_UNEXPECTED;
  }
  return status == NETRT_ASYNC_STATUS_COMPLETED ? NETRT_S_OK : code;
}

/* The detail of a failed operation contains `needle`. */
static int op_detail_contains(netrt_handle op, const char *needle) {
  char detail[512];
  size_t needed = 0;
  return netrt_async_get_error_detail(op, detail, sizeof detail, &needed) == NETRT_S_OK &&
         strstr(detail, needle) != NULL;
}

/* Creates `name` in `folder` with `option`; the result's Name must be `want_name`. */
static int create_named(netrt_handle folder, const char *name, int32_t option, const char *want_name) {
  netrt_handle op = 0, file = 0;
  int ok = netrt_storage_folder_create_file_async(folder, name, option, &op) == NETRT_S_OK &&
           outcome(op) == NETRT_S_OK && netrt_async_get_results_handle(op, &file) == NETRT_S_OK &&
           string_is(netrt_storage_file_get_name, file, want_name, name);
  if (op) (void)netrt_release(op);
  if (file) (void)netrt_release(file);
  return ok;
}

/* Size of a file under g_dir, or -1. */
static long file_size(const char *name) {
  char path[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long)st.st_size : -1;
}

static void write_file(const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

int main(void) {
  int rc = 1;
  netrt_handle op = 0, file = 0, folder = 0, host = 0, released = 0;
  char path[512], buf[512];
  size_t needed = 0;
  netrt_kind kind = NETRT_KIND_HOST_NAME;

  snprintf(g_dir, sizeof g_dir, "/tmp/netrt-c-storage-XXXXXX");
  CHECK(mkdtemp(g_dir) != NULL);
  write_file("data.bin", "abc");

  /* GetFileFromPathAsync: an existing file. */
  snprintf(path, sizeof path, "%s/data.bin", g_dir);
  CHECK_OK(netrt_storage_file_get_file_from_path_async(path, &op));
  CHECK_HR(outcome(op), NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &file));
  RELEASE(op);
  STRING_IS(netrt_storage_file_get_path, file, path);
  STRING_IS(netrt_storage_file_get_name, file, "data.bin");
  CHECK_OK(netrt_get_kind(file, &kind));
  CHECK(kind == NETRT_KIND_STORAGE_FILE);
  /* The string-out protocol. */
  CHECK_HR(netrt_storage_file_get_name(file, NULL, 0, &needed), NETRT_E_INSUFFICIENT_BUFFER);
  CHECK(needed == sizeof "data.bin");

  /* A missing file: ERROR_FILE_NOT_FOUND through the operation, with the path in the detail. */
  snprintf(path, sizeof path, "%s/missing.txt", g_dir);
  CHECK_OK(netrt_storage_file_get_file_from_path_async(path, &op));
  CHECK_HR(outcome(op), NETRT_E_FILE_NOT_FOUND);
  CHECK((uint32_t)NETRT_E_FILE_NOT_FOUND == 0x80070002u);
  CHECK(op_detail_contains(op, "missing.txt"));
  RELEASE(op);

  /* A folder is not a file; relative and empty paths fail the call. */
  CHECK_OK(netrt_storage_file_get_file_from_path_async(g_dir, &op));
  CHECK_HR(outcome(op), NETRT_E_INVALIDARG);
  CHECK(op_detail_contains(op, "is a folder"));
  RELEASE(op);
  CHECK_HR(netrt_storage_file_get_file_from_path_async("relative.txt", &op), NETRT_E_INVALIDARG);
  CHECK(op == 0);
  CHECK_HR(netrt_storage_file_get_file_from_path_async("", &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_get_folder_from_path_async("tmp", &op), NETRT_E_INVALIDARG);

  /* GetFolderFromPathAsync. */
  CHECK_OK(netrt_storage_folder_get_folder_from_path_async(g_dir, &op));
  CHECK_HR(outcome(op), NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &folder));
  RELEASE(op);
  STRING_IS(netrt_storage_folder_get_path, folder, g_dir);
  STRING_IS(netrt_storage_folder_get_name, folder, strrchr(g_dir, '/') + 1);
  CHECK_OK(netrt_get_kind(folder, &kind));
  CHECK(kind == NETRT_KIND_STORAGE_FOLDER);
  snprintf(path, sizeof path, "%s/data.bin", g_dir);
  CHECK_OK(netrt_storage_folder_get_folder_from_path_async(path, &op));
  CHECK_HR(outcome(op), NETRT_E_INVALIDARG);
  RELEASE(op);

  /* CreateFileAsync with each option. */
  CHECK(create_named(folder, "new.txt", NETRT_CREATION_COLLISION_OPTION_FAIL_IF_EXISTS, "new.txt"));
  CHECK(file_size("new.txt") == 0);
  CHECK_OK(netrt_storage_folder_create_file_async(folder, "new.txt", NETRT_CREATION_COLLISION_OPTION_FAIL_IF_EXISTS,
                                                  &op));
  CHECK_HR(outcome(op), NETRT_E_ALREADY_EXISTS);
  CHECK((uint32_t)NETRT_E_ALREADY_EXISTS == 0x800700B7u);
  RELEASE(op);
  CHECK(create_named(folder, "data.bin", NETRT_CREATION_COLLISION_OPTION_OPEN_IF_EXISTS, "data.bin"));
  CHECK(file_size("data.bin") == 3);
  CHECK(create_named(folder, "data.bin", NETRT_CREATION_COLLISION_OPTION_REPLACE_EXISTING, "data.bin"));
  CHECK(file_size("data.bin") == 0);
  CHECK(create_named(folder, "report.txt", NETRT_CREATION_COLLISION_OPTION_GENERATE_UNIQUE_NAME, "report.txt"));
  CHECK(create_named(folder, "report.txt", NETRT_CREATION_COLLISION_OPTION_GENERATE_UNIQUE_NAME, "report (2).txt"));
  CHECK(file_size("report (2).txt") == 0);

  /* Bad names and options fail the call and create nothing. */
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "", 0, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "..", 0, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "a/b", 0, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "x.txt", 4, &op), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "x.txt", -1, &op), NETRT_E_INVALIDARG);
  CHECK(file_size("x.txt") == -1);
  CHECK(op == 0);

  /* NULL pointers. */
  CHECK_HR(netrt_storage_file_get_file_from_path_async(NULL, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_file_get_file_from_path_async(g_dir, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_get_folder_from_path_async(NULL, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_get_folder_from_path_async(g_dir, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, NULL, 0, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_create_file_async(folder, "y.txt", 0, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_file_get_path(file, buf, sizeof buf, NULL), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_get_name(folder, buf, sizeof buf, NULL), NETRT_E_POINTER);
  CHECK(file_size("y.txt") == -1);

  /* Zero, never issued, released and wrong-kind handles. */
  CHECK_HR(netrt_storage_file_get_path(0, buf, sizeof buf, &needed), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_folder_create_file_async(0, "z.txt", 0, &op), NETRT_E_POINTER);
  CHECK_HR(netrt_storage_file_get_name(file + ((netrt_handle)1 << 32), buf, sizeof buf, &needed), NETRT_E_HANDLE);
  CHECK_OK(netrt_storage_folder_get_folder_from_path_async(g_dir, &op));
  CHECK_HR(outcome(op), NETRT_S_OK);
  CHECK_OK(netrt_async_get_results_handle(op, &released));
  RELEASE(op);
  {
    netrt_handle stale = released;
    RELEASE(released);
    CHECK_HR(netrt_storage_folder_get_path(stale, buf, sizeof buf, &needed), NETRT_RO_E_CLOSED);
    CHECK_HR(netrt_storage_folder_create_file_async(stale, "z.txt", 0, &op), NETRT_RO_E_CLOSED);
  }
  CHECK_OK(netrt_host_name_create("127.0.0.1", &host));
  CHECK_HR(netrt_storage_file_get_path(host, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_file_get_name(folder, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_get_path(file, buf, sizeof buf, &needed), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_storage_folder_create_file_async(file, "z.txt", 0, &op), NETRT_E_INVALIDARG);
  CHECK(file_size("z.txt") == -1);
  /* Not closable: netrt_close is E_INVALIDARG and the objects stay usable. */
  CHECK_HR(netrt_close(file), NETRT_E_INVALIDARG);
  CHECK_HR(netrt_close(folder), NETRT_E_INVALIDARG);
  STRING_IS(netrt_storage_file_get_name, file, "data.bin");

  rc = 0;
cleanup:
  RELEASE(op);
  RELEASE(file);
  RELEASE(folder);
  RELEASE(host);
  RELEASE(released);
  if (g_dir[0] && strcmp(g_dir, "/tmp/netrt-c-storage-XXXXXX") != 0) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "    could not remove %s\n", g_dir);
  }
  printf("test_storage: %s (%d checks)\n", rc == 0 ? "ok" : "FAILED", g_checks);
  return rc;
}
