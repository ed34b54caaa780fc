/*
 * The native data path of actors/net/forward.ts: once a proxied TCP connection and its
 * upstream are both connected, forward.ts hands their file descriptors to this relay and
 * lets go of its own sockets. One thread moves the bytes for every such pair with epoll,
 * read and write, so a proxied request costs a few system calls and no JavaScript: no
 * event-loop turn, no Buffer, no stream machinery, and it runs beside the control plane's
 * event loop instead of in it. Kubernetes' kube-proxy gets the same effect from the kernel
 * (iptables / IPVS); without privileges this is as close as a process gets.
 *
 * The semantics are forward.ts's and a NAT's:
 *   - bytes read on one side are written to the other; a side whose peer cannot take more
 *     is not read until the peer drains (backpressure, one buffer per direction);
 *   - an end of stream on one side, once its bytes are written, shuts down the peer's
 *     sending side (half-close), and the pair closes when both directions have ended;
 *   - a reset or error on either side resets the other (SO_LINGER 0, then close).
 *
 * Thread safety: the JavaScript thread only duplicates the two descriptors and queues the
 * pair; the relay thread alone registers, reads, writes, closes and frees.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bytes read from one side per system call; also what one direction holds while its peer is full. */
#define CHUNK 16384
#define MAX_EVENTS 128

typedef struct pair pair;

/* One side of a pair: its socket and the bytes read from it that the other side has not taken yet. */
typedef struct side {
  pair *p;
  int fd;
  uint32_t interest; /* the epoll events registered for fd */
  size_t off, len;   /* pending bytes: buf[off, len) */
  int ended;         /* read returned 0: once pending is written, the peer's sending side is shut */
  char *buf;
} side;

struct pair {
  side s[2];
  pair *next; /* the queue of pairs not registered yet */
};

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pair *queue;
static int epfd = -1, wake = -1;
static atomic_long open_pairs;

static side *peer(side *x) { return x == &x->p->s[0] ? &x->p->s[1] : &x->p->s[0]; }

static void free_pair(pair *p) {
  for (int i = 0; i < 2; i++) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, p->s[i].fd, NULL);
    close(p->s[i].fd);
  }
  free(p->s[0].buf);
  free(p);
  atomic_fetch_sub(&open_pairs, 1);
}

/* A reset or error on `x`: the other side is reset too, as a NATed connection would see it. */
static void reset(side *x) {
  struct linger now = {1, 0};
  setsockopt(peer(x)->fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
  free_pair(x->p);
}

/* What `x` waits for: to be read while nothing of its is pending, to be written while its peer's bytes are. */
static int refresh(side *x) {
  side *y = peer(x);
  uint32_t want = (!x->ended && x->len == 0 ? EPOLLIN : 0) | (y->len > 0 ? EPOLLOUT : 0);
  if (want == x->interest) return 0;
  struct epoll_event ev = {.events = want, .data.ptr = x};
  x->interest = want;
  return epoll_ctl(epfd, EPOLL_CTL_MOD, x->fd, &ev);
}

/* Writes x's pending bytes to its peer: 1 when all are written, 0 when the peer is full, -1 on error. */
static int flush(side *x) {
  side *y = peer(x);
  while (x->off < x->len) {
    ssize_t n = send(y->fd, x->buf + x->off, x->len - x->off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    x->off += (size_t)n;
  }
  x->off = x->len = 0;
  return 1;
}

/* The pair is done when both directions have ended and nothing is pending. */
static int finished(pair *p) { return p->s[0].ended && p->s[1].ended && p->s[0].len == 0 && p->s[1].len == 0; }

/* Handles readiness on x's socket; returns 0 when the pair was closed (x is freed). */
static int on_ready(side *x, uint32_t events) {
  side *y = peer(x);
  if (events & EPOLLERR) return reset(x), 0;
  if ((events & EPOLLOUT) && y->len > 0) {
    if (flush(y) < 0) return reset(x), 0;
  }
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) && !x->ended && x->len == 0) {
    ssize_t n = recv(x->fd, x->buf, CHUNK, 0);
    if (n > 0) {
      x->len = (size_t)n;
      if (flush(x) < 0) return reset(y), 0;
    } else if (n == 0) {
      x->ended = 1;
      if (shutdown(y->fd, SHUT_WR) < 0 && errno != ENOTCONN) return reset(y), 0;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return reset(x), 0;
    }
  }
  if (finished(x->p)) return free_pair(x->p), 0;
  if (refresh(x) < 0 || refresh(y) < 0) return reset(x), 0;
  return 1;
}

static void take_queue(void) {
  uint64_t n;
  if (read(wake, &n, sizeof n) < 0) { /* nothing to take: another wake took it */ }
  pthread_mutex_lock(&queue_lock);
  pair *p = queue;
  queue = NULL;
  pthread_mutex_unlock(&queue_lock);
  while (p) {
    pair *next = p->next;
    int ok = 1;
    for (int i = 0; i < 2 && ok; i++) {
      struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &p->s[i]};
      p->s[i].interest = EPOLLIN;
      ok = epoll_ctl(epfd, EPOLL_CTL_ADD, p->s[i].fd, &ev) == 0;
    }
    if (!ok) reset(&p->s[0]);
    p = next;
  }
}

static void *run(void *unused) {
  (void)unused;
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) take_queue();
    }
    /*
     * A pair freed while handling one event may have more events in this batch: such
     * events are skipped by marking the freed sides' slots. Pairs are freed only by
     * on_ready, so a freed pair's remaining slots are found by pointer.
     */
    for (int i = 0; i < n; i++) {
      side *x = events[i].data.ptr;
      if (x == NULL) continue;
      pair *p = x->p;
      if (!on_ready(x, events[i].events)) {
        for (int j = i + 1; j < n; j++) {
          side *z = events[j].data.ptr;
          if (z == &p->s[0] || z == &p->s[1]) events[j].data.ptr = NULL;
        }
      }
    }
  }
  return NULL;
}

static int started;

static void init(void) {
    epfd = epoll_create1(EPOLL_CLOEXEC);
    wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epfd < 0 || wake < 0) return;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, wake, &ev) < 0) return;
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    started = pthread_create(&t, &attr, run, NULL) == 0;
    if (started) pthread_setname_np(t, "kubeactor-relay");
    pthread_attr_destroy(&attr);
}

/* The relay thread starts with the first pair. */
static int start(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, init);
  return started;
}

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[128];
  snprintf(msg, sizeof msg, "relay: %s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/* relay(fdA, fdB): relays between the two sockets from now on; the caller then closes its own descriptors. */
static napi_value js_relay(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fds[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_int32(env, argv[0], &fds[0]) != napi_ok || napi_get_value_int32(env, argv[1], &fds[1]) != napi_ok) {
    napi_throw_type_error(env, NULL, "relay(fdA, fdB) takes two file descriptors");
    return NULL;
  }
  if (!start()) return throw_errno(env, "start");
  pair *p = calloc(1, sizeof *p);
  char *bufs = malloc(2 * CHUNK);
  if (!p || !bufs) {
    free(p);
    free(bufs);
    errno = ENOMEM;
    return throw_errno(env, "alloc");
  }
  for (int i = 0; i < 2; i++) {
    p->s[i].p = p;
    p->s[i].buf = bufs + i * CHUNK;
    /* Our own descriptors (close-on-exec, so no container inherits them): the caller's close leaves the connection open. */
    p->s[i].fd = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    if (p->s[i].fd < 0) {
      int saved = errno;
      if (i == 1) close(p->s[0].fd);
      free(bufs);
      free(p);
      errno = saved;
      return throw_errno(env, "dup");
    }
    /* Shared with the caller's descriptor already (O_NONBLOCK lives on the open file), set again to be sure. */
    fcntl(p->s[i].fd, F_SETFL, fcntl(p->s[i].fd, F_GETFL) | O_NONBLOCK);
  }
  atomic_fetch_add(&open_pairs, 1);
  pthread_mutex_lock(&queue_lock);
  p->next = queue;
  queue = p;
  pthread_mutex_unlock(&queue_lock);
  uint64_t one = 1;
  if (write(wake, &one, sizeof one) < 0) { /* the counter is already non-zero: the thread wakes anyway */ }
  return NULL;
}

/* open(): how many relayed connections are open now. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_int64(env, atomic_load(&open_pairs), &v);
  return v;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "relay", NAPI_AUTO_LENGTH, js_relay, NULL, &f);
  napi_set_named_property(env, exports, "relay", f);
  napi_create_function(env, "open", NAPI_AUTO_LENGTH, js_open, NULL, &f);
  napi_set_named_property(env, exports, "open", f);
  return exports;
}
