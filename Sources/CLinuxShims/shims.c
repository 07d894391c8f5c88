#define _GNU_SOURCE
#include "CLinuxShims.h"
#include <errno.h>
#include <pty.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>
#include <linux/input.h>

int CLinuxShims_openpty(int *master_fd, int *slave_fd, char *path, size_t path_len) {
    struct termios raw;
    memset(&raw, 0, sizeof raw);
    cfmakeraw(&raw);
    if (openpty(master_fd, slave_fd, NULL, &raw, NULL) != 0) return -1;
    if (path && path_len > 0) {
        if (ttyname_r(*slave_fd, path, path_len) != 0) path[0] = 0;
    }
    return 0;
}

static speed_t speed_for(int baud) {
    switch (baud) {
    case 1200: return B1200; case 2400: return B2400; case 4800: return B4800;
    case 9600: return B9600; case 19200: return B19200; case 38400: return B38400;
    case 57600: return B57600; case 115200: return B115200; case 230400: return B230400;
    case 460800: return B460800; case 921600: return B921600;
    default: return 0;
    }
}

int CLinuxShims_set_raw_termios(int fd, int baud, int data_bits, char parity,
                                int stop_bits, int rtscts) {
    speed_t speed = speed_for(baud);
    if (speed == 0) { errno = EINVAL; return -1; }
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    cfmakeraw(&t);
    t.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    switch (data_bits) {
    case 5: t.c_cflag |= CS5; break; case 6: t.c_cflag |= CS6; break;
    case 7: t.c_cflag |= CS7; break; case 8: t.c_cflag |= CS8; break;
    default: errno = EINVAL; return -1;
    }
    if (parity == 'E') t.c_cflag |= PARENB;
    else if (parity == 'O') t.c_cflag |= PARENB | PARODD;
    else if (parity != 'N') { errno = EINVAL; return -1; }
    if (stop_bits == 2) t.c_cflag |= CSTOPB; else if (stop_bits != 1) { errno = EINVAL; return -1; }
    if (rtscts) t.c_cflag |= CRTSCTS;
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    return tcsetattr(fd, TCSANOW, &t);
}

int CLinuxShims_evdev_grab(int fd, int grab) {
    return ioctl(fd, EVIOCGRAB, grab ? 1 : 0);
}

int CLinuxShims_sockaddr_un(void *storage, const char *path) {
    struct sockaddr_un *addr = storage;
    size_t n = strlen(path);
    if (n >= sizeof addr->sun_path) { errno = ENAMETOOLONG; return -1; }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, n + 1);
    if (path[0] == '@') {
        /* Abstract namespace (as NOTIFY_SOCKET uses it): leading NUL, and the
           length counts only the name, no terminator. */
        addr->sun_path[0] = 0;
        return (int)(offsetof(struct sockaddr_un, sun_path) + n);
    }
    return (int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

size_t CLinuxShims_sockaddr_un_size(void) { return sizeof(struct sockaddr_un); }

int CLinuxShims_eventfd(void) {
    return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}
