"""Kerberos behind `Authorization: Negotiate` for the fake EWS server, as IIS does it.

The token is a SPNEGO (or raw Kerberos) token from the client's GSS-API. It is accepted with
python3-gssapi against the keytab that KRB5_KTNAME names (the test realm's HTTP/localhost key,
KRB5_CONFIG pointing at that realm), and the authenticated client principal
(svc-roomsign@ROOMSIGN.TEST) is mapped to the account whose "principal" is that name, the way
Active Directory maps a userPrincipalName to its user. A token the keytab cannot decrypt (another
realm's ticket, an expired or forged one) or a principal no account has is refused.

Raw NTLM tokens inside Negotiate (what Windows sends without a ticket) are not handled here: the
fake's NTLM code does them, as before.
"""

import os

try:
    import gssapi
except ImportError:          # python3-gssapi missing: Negotiate-with-Kerberos simply never succeeds
    gssapi = None


def is_ntlm(token):
    return token.startswith(b"NTLMSSP\0")


def available():
    return gssapi is not None and bool(os.environ.get("KRB5_KTNAME"))


class Refused(Exception):
    pass


def accept(token):
    """Verifies one client token. Returns (client principal, server token for a mutual-auth
    reply or None); raises Refused with the GSS-API's reason."""
    if not available():
        raise Refused("no keytab (KRB5_KTNAME) or no python3-gssapi: Kerberos is off")
    try:
        creds = gssapi.Credentials(usage="accept")        # the keytab's key(s)
        ctx = gssapi.SecurityContext(creds=creds, usage="accept")
        out = ctx.step(token)
        # Kerberos in SPNEGO completes in one leg when the client sends an optimistic token,
        # which every GSS-API client (libcurl included) does. (python-gssapi raises a failed
        # step's error here, on the first look at the context.)
        if not ctx.complete:
            raise Refused("the Negotiate exchange needs more legs than Kerberos takes")
        return str(ctx.initiator_name), out
    except gssapi.exceptions.GSSError as e:
        raise Refused(str(e).replace("\n", " ")) from None


def account_for(store, principal):
    """The account whose "principal" is exactly this Kerberos name (realm included)."""
    for acct in store.accounts.values():
        if acct.get("principal") and acct["principal"] == principal and not acct.get("disabled"):
            return acct
    return None


REFUSALS = []     # GET /_admin/kerberos: what was refused and why, for the tests to show


def refused(principal, reason):
    REFUSALS.append({"principal": principal, "reason": reason})
