#define LOG_MODULE "caldav"
#include "caldav_xml.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "../core/timeutil.h"
#include "../core/xalloc.h"
#include "../core/log.h"

#define NS_DAV    "DAV:"
#define NS_CALDAV "urn:ietf:params:xml:ns:caldav"

/* No network, no entity expansion, no DTD loading; errors stay out of stderr. */
static xmlDoc *
read_doc(const char *xml, size_t len)
{
	if (!xml || len == 0 || len > (size_t)CALDAV_XML_MAX_LEN)
		return NULL;
	return xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static bool
is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *parent, const char *ns, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *n = parent->children; n; n = n->next)
		if (is_el(n, ns, name))
			return n;
	return NULL;
}

/* The element's text with surrounding white space removed, malloc'd; NULL when empty. */
static char *
text_of(const xmlNode *n)
{
	if (!n)
		return NULL;
	xmlChar *raw = xmlNodeGetContent(n);
	if (!raw)
		return NULL;
	const char *s = (const char *)raw;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	char *out = len ? xstrndup(s, len) : NULL;
	xmlFree(raw);
	return out;
}

/* calendar-data keeps its line structure; only a leading blank line is dropped. */
static char *
data_of(const xmlNode *n)
{
	xmlChar *raw = n ? xmlNodeGetContent(n) : NULL;
	if (!raw)
		return NULL;
	const char *s = (const char *)raw;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	char *out = *s ? xstrdup(s) : NULL;
	xmlFree(raw);
	return out;
}

/* "HTTP/1.1 404 Not Found" → 404; 0 when unreadable. */
static int
status_code(const xmlNode *n)
{
	char *s = text_of(n);
	int code = 0;
	if (s) {
		const char *sp = strchr(s, ' ');
		if (sp && sp[1] >= '1' && sp[1] <= '5' && sp[2] >= '0' && sp[2] <= '9' && sp[3] >= '0' && sp[3] <= '9')
			code = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
	}
	free(s);
	return code;
}

static xmlNode *
multistatus_root(xmlDoc *doc)
{
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	return is_el(root, NS_DAV, "multistatus") ? root : NULL;
}

/* The DAV:prop of each 200 propstat is visited in turn. */
typedef void (*prop_fn)(xmlNode *prop, void *ctx);

static void
each_ok_prop(xmlNode *response, prop_fn fn, void *ctx)
{
	for (xmlNode *ps = response->children; ps; ps = ps->next) {
		if (!is_el(ps, NS_DAV, "propstat"))
			continue;
		int code = status_code(child(ps, NS_DAV, "status"));
		xmlNode *prop = child(ps, NS_DAV, "prop");
		if (prop && code >= 200 && code < 300)
			fn(prop, ctx);
	}
}

static char *
href_in(xmlNode *prop, const char *ns, const char *name)
{
	return text_of(child(child(prop, ns, name), NS_DAV, "href"));
}

static void
principal_props(xmlNode *prop, void *ctx)
{
	struct caldav_principal *p = ctx;
	if (!p->principal)
		p->principal = href_in(prop, NS_DAV, "current-user-principal");
	if (!p->home)
		p->home = href_in(prop, NS_CALDAV, "calendar-home-set");
	if (!p->schedule_outbox)
		p->schedule_outbox = href_in(prop, NS_CALDAV, "schedule-outbox-URL");
	if (!p->displayname)
		p->displayname = text_of(child(prop, NS_DAV, "displayname"));
	if (child(child(prop, NS_DAV, "resourcetype"), NS_CALDAV, "calendar"))
		p->is_calendar = true;
}

bool
caldav_xml_parse_principal(const char *xml, size_t len, struct caldav_principal *out)
{
	memset(out, 0, sizeof(*out));
	xmlDoc *doc = read_doc(xml, len);
	xmlNode *root = multistatus_root(doc);
	if (root) {
		xmlNode *response = child(root, NS_DAV, "response");
		if (response)
			each_ok_prop(response, principal_props, out);
	}
	xmlFreeDoc(doc);
	return root != NULL;
}

void
caldav_principal_finish(struct caldav_principal *p)
{
	if (!p)
		return;
	free(p->principal);
	free(p->home);
	free(p->schedule_outbox);
	free(p->displayname);
	memset(p, 0, sizeof(*p));
}

static void
collection_props(xmlNode *prop, void *ctx)
{
	struct caldav_collection *c = ctx;
	xmlNode *n;
	if (child(child(prop, NS_DAV, "resourcetype"), NS_CALDAV, "calendar"))
		c->is_calendar = true;
	if (!c->displayname)
		c->displayname = text_of(child(prop, NS_DAV, "displayname"));
	if (!c->sync_token)
		c->sync_token = text_of(child(prop, NS_DAV, "sync-token"));
	if ((n = child(prop, NS_CALDAV, "supported-calendar-component-set"))) {
		c->has_vevent = false;
		for (xmlNode *comp = n->children; comp; comp = comp->next) {
			xmlChar *name = is_el(comp, NS_CALDAV, "comp") ? xmlGetProp(comp, BAD_CAST "name") : NULL;
			if (name && strcasecmp((const char *)name, "VEVENT") == 0)
				c->has_vevent = true;
			xmlFree(name);
		}
	}
}

bool
caldav_xml_parse_collections(const char *xml, size_t len, struct caldav_collection **out, size_t *count_out)
{
	*out = NULL;
	*count_out = 0;
	xmlDoc *doc = read_doc(xml, len);
	xmlNode *root = multistatus_root(doc);
	size_t cap = 0;
	for (xmlNode *r = root ? root->children : NULL; r; r = r->next) {
		if (!is_el(r, NS_DAV, "response") || *count_out >= CALDAV_XML_MAX_RESPONSES)
			continue;
		char *href = text_of(child(r, NS_DAV, "href"));
		if (!href)
			continue;
		if (*count_out == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		struct caldav_collection *c = &(*out)[(*count_out)++];
		memset(c, 0, sizeof(*c));
		c->href = href;
		c->has_vevent = true;
		each_ok_prop(r, collection_props, c);
	}
	xmlFreeDoc(doc);
	return root != NULL;
}

void
caldav_collections_free(struct caldav_collection *list, size_t count)
{
	for (size_t i = 0; list && i < count; i++) {
		free(list[i].href);
		free(list[i].displayname);
		free(list[i].sync_token);
	}
	free(list);
}

static void
resource_props(xmlNode *prop, void *ctx)
{
	struct caldav_resource *res = ctx;
	if (!res->etag)
		res->etag = text_of(child(prop, NS_DAV, "getetag"));
	if (!res->data)
		res->data = data_of(child(prop, NS_CALDAV, "calendar-data"));
}

static void
add_resource(struct caldav_multistatus *ms, size_t *cap, xmlNode *r)
{
	char *href = text_of(child(r, NS_DAV, "href"));
	if (!href)
		return;
	if (ms->count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		ms->resources = xrealloc(ms->resources, *cap * sizeof(*ms->resources));
	}
	struct caldav_resource *res = &ms->resources[ms->count++];
	memset(res, 0, sizeof(*res));
	res->href = href;
	/* A response has either a top-level status (RFC 6578 removed members, multiget misses)
	 * or propstats; with propstats the member exists. */
	xmlNode *status = child(r, NS_DAV, "status");
	res->status = status ? status_code(status) : 200;
	if (res->status >= 200 && res->status < 300)
		each_ok_prop(r, resource_props, res);
}

bool
caldav_xml_parse_multistatus(const char *xml, size_t len, struct caldav_multistatus *out)
{
	memset(out, 0, sizeof(*out));
	xmlDoc *doc = read_doc(xml, len);
	xmlNode *root = multistatus_root(doc);
	size_t cap = 0;
	for (xmlNode *n = root ? root->children : NULL; n; n = n->next) {
		if (is_el(n, NS_DAV, "sync-token") && !out->sync_token) {
			out->sync_token = text_of(n);
		} else if (is_el(n, NS_DAV, "response") && out->count < CALDAV_XML_MAX_RESPONSES) {
			add_resource(out, &cap, n);
			struct caldav_resource *last = out->count ? &out->resources[out->count - 1] : NULL;
			if (last && last->status == 507 && !last->data && !last->etag)
				out->truncated = true;
		}
	}
	xmlFreeDoc(doc);
	return root != NULL;
}

void
caldav_multistatus_finish(struct caldav_multistatus *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->count; i++) {
		free(ms->resources[i].href);
		free(ms->resources[i].etag);
		free(ms->resources[i].data);
	}
	free(ms->resources);
	free(ms->sync_token);
	memset(ms, 0, sizeof(*ms));
}

bool
caldav_xml_has_error(const char *xml, size_t len, const char *name)
{
	xmlDoc *doc = read_doc(xml, len);
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	bool found = is_el(root, NS_DAV, "error") &&
		     (child(root, NS_DAV, name) != NULL || child(root, NS_CALDAV, name) != NULL);
	xmlFreeDoc(doc);
	return found;
}

/* Text safe inside an XML element: & < > " ' escaped. */
static char *
escape(const char *s)
{
	size_t len = 0;
	for (const char *p = s; *p; p++)
		len += (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') ? 6 : 1;
	char *out = xmalloc(len + 1), *o = out;
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&'    ? "&amp;"
				  : *p == '<'  ? "&lt;"
				  : *p == '>'  ? "&gt;"
				  : *p == '"'  ? "&quot;"
				  : *p == '\'' ? "&apos;"
					       : NULL;
		if (rep) {
			memcpy(o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

char *
caldav_xml_propfind_discovery(void)
{
	return xstrdup(
		XML_HEAD "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
			 "<D:prop><D:resourcetype/><D:displayname/><D:current-user-principal/><C:calendar-home-set/>"
			 "<C:schedule-outbox-URL/></D:prop></D:propfind>");
}

char *
caldav_xml_propfind_collections(void)
{
	return xstrdup(XML_HEAD "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
				"<D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/>"
				"<D:sync-token/></D:prop></D:propfind>");
}

static void
utc_stamp(rs_time t, char *buf, size_t size)
{
	char iso[32]; /* "YYYY-MM-DDTHH:MM:SSZ" → "YYYYMMDDTHHMMSSZ" */
	time_format_utc(t, iso, sizeof(iso));
	size_t o = 0;
	for (const char *p = iso; *p && o + 1 < size; p++)
		if (*p != '-' && *p != ':')
			buf[o++] = *p;
	buf[o] = '\0';
}

char *
caldav_xml_calendar_query(rs_time from, rs_time to)
{
	char start[32], end[32];
	utc_stamp(from, start, sizeof(start));
	utc_stamp(to, end, sizeof(end));
	return xasprintf(XML_HEAD "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
				  "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
				  "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
				  "<C:time-range start=\"%s\" end=\"%s\"/>"
				  "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
		start, end);
}

char *
caldav_xml_sync_collection(const char *sync_token)
{
	char *token = escape(sync_token ? sync_token : "");
	char *body =
		xasprintf(XML_HEAD "<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>%s</D:sync-token>"
				   "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>",
			token);
	free(token);
	return body;
}

char *
caldav_xml_multiget(const char *const *hrefs, size_t count)
{
	static const char head[] =
		XML_HEAD "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
			 "<D:prop><D:getetag/><C:calendar-data/></D:prop>";
	static const char tail[] = "</C:calendar-multiget>";
	size_t len = sizeof(head) + sizeof(tail);
	char **escaped = xcalloc(count ? count : 1, sizeof(*escaped));
	for (size_t i = 0; i < count; i++) {
		escaped[i] = escape(hrefs[i]);
		len += strlen(escaped[i]) + sizeof("<D:href></D:href>");
	}
	char *body = xmalloc(len), *o = body;
	o += snprintf(o, len, "%s", head);
	for (size_t i = 0; i < count; i++) {
		o += snprintf(o, len - (size_t)(o - body), "<D:href>%s</D:href>", escaped[i]);
		free(escaped[i]);
	}
	snprintf(o, len - (size_t)(o - body), "%s", tail);
	free(escaped);
	return body;
}

char *
caldav_href_name(const char *href)
{
	size_t len = strlen(href);
	while (len > 0 && href[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && href[start - 1] != '/')
		start--;
	return xstrndup(href + start, len - start);
}
