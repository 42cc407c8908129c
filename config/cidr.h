/* config/cidr.h: IPv4 and IPv6 addresses and networks, for the "rhosts" criterion.
 * Private to config/. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored as the IPv4
 * address it maps, so that it matches IPv4 networks (sshd reports such addresses on
 * dual-stack sockets). */
#pragma once

#include <stdbool.h>

struct cfg_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix; /* bits that count; 32 or 128 for an address */
};

/* Parse the numeric address @text. Returns 0 or -EINVAL. */
int cfg_addr_parse(const char *text, struct cfg_net *ret);

/* Parse "a.b.c.d/n" or "x:x::x/n". Host bits after the prefix are ignored.
 * Returns 0 or -EINVAL. */
int cfg_cidr_parse(const char *text, struct cfg_net *ret);

/* Is address @addr inside network @net? Different families never match. */
bool cfg_net_contains(const struct cfg_net *net, const struct cfg_net *addr);
