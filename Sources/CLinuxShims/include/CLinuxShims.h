#pragma once
// What Swift cannot import cleanly from Glibc: pty creation, termios
// settings by value, ioctl request numbers, sockaddr_un. Keep it small.
#include <stddef.h>
#include <sys/types.h>

/// Opens a pseudo-terminal pair in raw mode. Returns 0 and fills the fds and
/// the slave path (NUL-terminated, at most `path_len` bytes), or -1 with errno.
int CLinuxShims_openpty(int *master_fd, int *slave_fd, char *path, size_t path_len);

/// Puts a tty fd in raw mode with the given speed (in baud), data bits (5-8),
/// parity ('N','E','O'), stop bits (1-2) and RTS/CTS flow control (0/1).
/// Returns 0, or -1 with errno (EINVAL for an unsupported speed).
int CLinuxShims_set_raw_termios(int fd, int baud, int data_bits, char parity,
                                int stop_bits, int rtscts);

/// EVIOCGRAB on an evdev fd: grab != 0 grabs, 0 releases.
int CLinuxShims_evdev_grab(int fd, int grab);

/// Fills a sockaddr_un for `path` and returns its length, or -1 if the path
/// is too long. A path starting with '@' names the abstract namespace. `storage` must point to at least sizeof(struct sockaddr_un).
int CLinuxShims_sockaddr_un(void *storage, const char *path);
size_t CLinuxShims_sockaddr_un_size(void);

/// A non-blocking, close-on-exec eventfd (Glibc's Swift module does not
/// export sys/eventfd.h). Returns the fd, or -1 with errno.
int CLinuxShims_eventfd(void);
