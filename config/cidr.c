/* config/cidr.c: see cidr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "config/cidr.h"

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int cfg_addr_parse(const char *text, struct cfg_net *ret)
{
	struct cfg_net a = {0};

	if (inet_pton(AF_INET, text, a.addr) == 1) {
		a.family = AF_INET;
		a.prefix = 32;
	} else if (inet_pton(AF_INET6, text, a.addr) == 1) {
		a.family = AF_INET6;
		a.prefix = 128;
	} else {
		return -EINVAL;
	}
	if (a.family == AF_INET6 && memcmp(a.addr, v4_mapped_prefix, 12) == 0) {
		memmove(a.addr, a.addr + 12, 4);
		memset(a.addr + 4, 0, 12);
		a.family = AF_INET;
		a.prefix = 32;
	}
	*ret = a;
	return 0;
}

static int prefix_parse(const char *text, unsigned max, unsigned *ret)
{
	unsigned n = 0;
	size_t len = strlen(text);

	if (len == 0 || len > 3 || strspn(text, "0123456789") != len)
		return -EINVAL;
	for (const char *c = text; *c; c++)
		n = n * 10 + (unsigned)(*c - '0');
	if (n > max)
		return -EINVAL;
	*ret = n;
	return 0;
}

int cfg_cidr_parse(const char *text, struct cfg_net *ret)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	struct cfg_net net = {0};
	unsigned prefix, max;
	size_t len;

	if (!slash)
		return -EINVAL;
	len = (size_t)(slash - text);
	if (len == 0 || len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, net.addr) == 1) {
		net.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, net.addr) == 1) {
		net.family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (prefix_parse(slash + 1, max, &prefix) < 0)
		return -EINVAL;
	net.prefix = prefix;
	/* ::ffff:10.0.0.0/104 is the IPv4 network 10.0.0.0/8 */
	if (net.family == AF_INET6 && prefix >= 96 && memcmp(net.addr, v4_mapped_prefix, 12) == 0) {
		memmove(net.addr, net.addr + 12, 4);
		net.family = AF_INET;
		net.prefix = prefix - 96;
	}
	*ret = net;
	return 0;
}

bool cfg_net_contains(const struct cfg_net *net, const struct cfg_net *addr)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	unsigned char mask;

	if (net->family != addr->family)
		return false;
	if (memcmp(net->addr, addr->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (addr->addr[full] & mask);
}
