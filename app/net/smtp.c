#define LOG_MODULE "smtp"
#include "smtp.h"
#include <string.h>
#include <curl/curl.h>
#include "../core/log.h"

#define DEFAULT_TIMEOUT_S 20

struct upload {
	const char *data;
	size_t left;
};

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *user)
{
	struct upload *u = user;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(buf, u->data, n);
	u->data += n;
	u->left -= n;
	return n;
}

/* The host part of the URL, for messages (never the user or password). */
static int
host_of(const char *url, const char **host)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	const char *at = strchr(h, '@');
	if (at && at < h + strcspn(h, "/"))
		h = at + 1;
	*host = h;
	return (int)strcspn(h, "/:?");
}

/* A server's answer that was not "250 OK": reply codes say who must act (RFC 5321 4.2.1). */
static bool
refused(const struct smtp_request *req, long code, const char *detail, struct source_error *err)
{
	const char *host;
	int n = host_of(req->url, &host);
	if (code == 535 || code == 534 || code == 530)
		return source_fail(err, SOURCE_ERR_AUTH,
			"The mail server %.*s refused the sign-in (SMTP %ld): check [report] username and "
			"password_file.",
			n, host, code);
	if (code >= 400 && code < 500)
		return source_fail(err, SOURCE_ERR_THROTTLED,
			"The mail server %.*s refused the message for now (SMTP %ld, %s): it may accept it later.", n,
			host, code, detail);
	return source_fail(err, SOURCE_ERR_PERMISSION,
		"The mail server %.*s refused the message (SMTP %ld, %s): check [report] from and to, and that the "
		"server relays for this sign.",
		n, host, code, detail);
}

static bool
transport_failed(const struct smtp_request *req, CURLcode rc, const char *detail, struct source_error *err)
{
	const char *host;
	int n = host_of(req->url, &host);
	switch (rc) {
	case CURLE_USE_SSL_FAILED:
		return source_fail(err, SOURCE_ERR_CONFIG,
			"The mail server %.*s does not offer STARTTLS: the sign will not send the message in clear "
			"text; use smtps://, enable STARTTLS, or (a test lab only) allow_insecure_smtp = yes.",
			n, host);
	case CURLE_LOGIN_DENIED:
		return source_fail(err, SOURCE_ERR_AUTH,
			"The mail server %.*s refused the sign-in: check [report] username and password_file.", n,
			host);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		return source_fail(err, SOURCE_ERR_NETWORK,
			"TLS with the mail server %.*s failed (%s): check [report] ca_file and the server's "
			"certificate.",
			n, host, detail);
	default:
		return source_fail(
			err, SOURCE_ERR_NETWORK, "Cannot send through the mail server %.*s: %s.", n, host, detail);
	}
}

/* One SMTP session: the whole message, or (connect_only) up to the point a message would start. */
static bool
session(const struct smtp_request *req, bool connect_only, struct source_error *err)
{
	CURL *curl = curl_easy_init();
	if (!curl)
		return source_fail(err, SOURCE_ERR_NETWORK, "Cannot start an SMTP transfer (libcurl).");
	char from[320], to[320], detail[CURL_ERROR_SIZE] = "";
	snprintf(from, sizeof(from), "<%s>", req->from ? req->from : "");
	snprintf(to, sizeof(to), "<%s>", req->to ? req->to : "");
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	const char *message = req->message ? req->message : "";
	struct upload u = { message, strlen(message) };
	curl_easy_setopt(curl, CURLOPT_URL, req->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (connect_only) {
		curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L); /* EHLO, STARTTLS, AUTH; no MAIL FROM */
	} else {
		curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
		curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(curl, CURLOPT_READDATA, &u);
	}
	/* smtp://: STARTTLS or nothing: the message names the room and goes out with credentials. */
	curl_easy_setopt(curl, CURLOPT_USE_SSL, req->allow_insecure ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)(req->timeout_s > 0 ? req->timeout_s : DEFAULT_TIMEOUT_S));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
	if (req->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, req->ca_file);
	if (req->username) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, req->username);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	CURLcode rc = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(curl); /* sends QUIT */
	if (!detail[0])
		snprintf(detail, sizeof(detail), "%s", curl_easy_strerror(rc));
	if (rc == CURLE_OK && (connect_only || code == 250))
		return true;
	if (code >= 400)
		return refused(req, code, detail, err);
	if (rc == CURLE_OK) /* a 2xx that is not 250 after DATA: not a confirmation */
		return source_fail(
			err, SOURCE_ERR_BAD_RESPONSE, "The mail server answered %ld, not 250, to the message.", code);
	return transport_failed(req, rc, detail, err);
}

bool
smtp_send(const struct smtp_request *req, struct source_error *err)
{
	return session(req, false, err);
}

bool
smtp_check(const struct smtp_request *req, struct source_error *err)
{
	return session(req, true, err);
}
