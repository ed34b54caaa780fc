/*
 * Connect-time Service translation for process pods (LD_PRELOAD), as Cilium's socket-based
 * load balancing does in the kernel: a TCP connect() to a ClusterIP:port becomes a connect()
 * to one of the Service's endpoints, so the connection goes straight to the pod and no proxy
 * carries its bytes. Kubernetes' kube-proxy gets the same effect from iptables DNAT; without
 * privileges, a pod's own connect() is the one place left to do it.
 *
 * The table is written by the node's kube-proxy (actors/kube-proxy/connect-table.ts) and
 * named by KUBEACTOR_CONNECT_TABLE: one line per Service port,
 *     <clusterIP> <port> [<endpointIP>:<port> ...]
 * holding the endpoints this node's kube-proxy would send new connections to (ready ones, the
 * node's own under internalTrafficPolicy Local). A line without endpoints refuses at once
 * (ECONNREFUSED, the iptables proxier's REJECT). Services with session affinity are not in
 * the table: their connections go to kube-proxy's listener, which remembers clients.
 * kube-proxy replaces the file by rename; the shim re-reads it when its inode or mtime
 * changes. Anything not in the table, a table that cannot be read, or a socket that is not
 * TCP takes the ordinary connect(), so the worst case is the proxy path, never a failure.
 *
 * A connection from a pod to this host's loopback (where pods and Services live) leaves from
 * the pod's own address (POD_IP), as a pod's traffic does in Kubernetes, unless the program
 * bound its socket itself; so a backend sees which pod called it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

typedef struct {
  uint32_t ip; /* network order */
  uint16_t port; /* network order */
} addr;

typedef struct {
  addr service;
  int first, count; /* its endpoints: eps[first, first + count) */
} rule;

typedef struct {
  rule *rules;
  addr *eps;
  int nrules;
} table;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static table current;
static struct stat seen;
static atomic_uint turn;

static int (*real_connect)(int, const struct sockaddr *, socklen_t);

static int parse_addr(const char *ip, unsigned port, addr *out) {
  struct in_addr a;
  if (port == 0 || port > 65535 || inet_pton(AF_INET, ip, &a) != 1) return 0;
  out->ip = a.s_addr;
  out->port = htons((uint16_t)port);
  return 1;
}

/* Reads the table at `path` into `t`; 0 when it cannot (t is left empty). */
static int load(const char *path, table *t) {
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  int cap_r = 64, cap_e = 256;
  t->rules = malloc(cap_r * sizeof *t->rules);
  t->eps = malloc(cap_e * sizeof *t->eps);
  t->nrules = 0;
  int neps = 0;
  char *line = NULL;
  size_t n = 0;
  while (t->rules && t->eps && getline(&line, &n, f) > 0) {
    char *save = NULL, *ip = strtok_r(line, " \n", &save), *port = strtok_r(NULL, " \n", &save);
    rule r = {.first = neps, .count = 0};
    if (!ip || !port || !parse_addr(ip, (unsigned)strtoul(port, NULL, 10), &r.service)) continue;
    for (char *ep; (ep = strtok_r(NULL, " \n", &save));) {
      char *colon = strrchr(ep, ':');
      addr a;
      if (!colon) continue;
      *colon = 0;
      if (!parse_addr(ep, (unsigned)strtoul(colon + 1, NULL, 10), &a)) continue;
      if (neps == cap_e) {
        addr *more = realloc(t->eps, (cap_e *= 2) * sizeof *t->eps);
        if (!more) break;
        t->eps = more;
      }
      t->eps[neps++] = a;
      r.count++;
    }
    if (t->nrules == cap_r) {
      rule *more = realloc(t->rules, (cap_r *= 2) * sizeof *t->rules);
      if (!more) break;
      t->rules = more;
    }
    t->rules[t->nrules++] = r;
  }
  free(line);
  fclose(f);
  return t->rules && t->eps;
}

/*
 * The endpoint for a connection to `to`: 1 with `out` set, 0 when `to` is no Service in the
 * table, -1 when it is one without endpoints.
 */
static int choose(addr to, addr *out) {
  const char *path = getenv("KUBEACTOR_CONNECT_TABLE");
  struct stat st;
  if (!path || stat(path, &st) != 0) return 0;
  pthread_mutex_lock(&lock);
  if (st.st_ino != seen.st_ino || st.st_mtim.tv_sec != seen.st_mtim.tv_sec || st.st_mtim.tv_nsec != seen.st_mtim.tv_nsec || st.st_size != seen.st_size) {
    table t = {0};
    if (load(path, &t)) {
      free(current.rules);
      free(current.eps);
      current = t;
      seen = st;
    } else {
      free(t.rules);
      free(t.eps);
    }
  }
  int found = 0;
  for (int i = 0; i < current.nrules; i++) {
    rule *r = &current.rules[i];
    if (r->service.ip != to.ip || r->service.port != to.port) continue;
    if (r->count == 0) {
      found = -1;
    } else {
      *out = current.eps[r->first + atomic_fetch_add(&turn, 1) % (unsigned)r->count];
      found = 1;
    }
    break;
  }
  pthread_mutex_unlock(&lock);
  return found;
}

/* Binds an unbound socket to POD_IP (port 0) when it connects to 127.0.0.0/8. */
static void bind_pod_ip(int fd, int family, uint32_t to_ip) {
  const char *pod = getenv("POD_IP");
  struct in_addr ip;
  if (!pod || (ntohl(to_ip) >> 24) != 127 || inet_pton(AF_INET, pod, &ip) != 1) return;
  struct sockaddr_storage mine;
  socklen_t ml = sizeof mine;
  if (getsockname(fd, (struct sockaddr *)&mine, &ml) != 0) return;
  if (family == AF_INET) {
    struct sockaddr_in *m = (struct sockaddr_in *)&mine;
    if (m->sin_family != AF_INET || m->sin_port != 0 || m->sin_addr.s_addr != htonl(INADDR_ANY)) return;
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_addr = ip};
    bind(fd, (struct sockaddr *)&b, sizeof b);
  } else {
    struct sockaddr_in6 *m = (struct sockaddr_in6 *)&mine;
    if (m->sin6_family != AF_INET6 || m->sin6_port != 0 || !IN6_IS_ADDR_UNSPECIFIED(&m->sin6_addr)) return;
    struct sockaddr_in6 b = {.sin6_family = AF_INET6};
    b.sin6_addr.s6_addr[10] = b.sin6_addr.s6_addr[11] = 0xff;
    memcpy(&b.sin6_addr.s6_addr[12], &ip, 4);
    bind(fd, (struct sockaddr *)&b, sizeof b);
  }
}

int connect(int fd, const struct sockaddr *sa, socklen_t len) {
  if (!real_connect) real_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
  int type = 0;
  socklen_t tl = sizeof type;
  if (!sa || getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM) return real_connect(fd, sa, len);
  addr to, ep = {0, 0};
  if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    to = (addr){in->sin_addr.s_addr, in->sin_port};
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6) && IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)sa)->sin6_addr)) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    memcpy(&to.ip, &in6->sin6_addr.s6_addr[12], 4);
    to.port = in6->sin6_port;
  } else {
    return real_connect(fd, sa, len);
  }
  int chosen = choose(to, &ep);
  bind_pod_ip(fd, sa->sa_family, chosen > 0 ? ep.ip : to.ip);
  if (chosen == 0) return real_connect(fd, sa, len);
  if (chosen < 0) {
    errno = ECONNREFUSED;
    return -1;
  }
  if (sa->sa_family == AF_INET) {
    struct sockaddr_in in = *(const struct sockaddr_in *)sa;
    in.sin_addr.s_addr = ep.ip;
    in.sin_port = ep.port;
    return real_connect(fd, (const struct sockaddr *)&in, sizeof in);
  }
  struct sockaddr_in6 in6 = *(const struct sockaddr_in6 *)sa;
  memcpy(&in6.sin6_addr.s6_addr[12], &ep.ip, 4);
  in6.sin6_port = ep.port;
  return real_connect(fd, (const struct sockaddr *)&in6, sizeof in6);
}
