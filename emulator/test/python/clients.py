"""Drives the emulator with the Azure SDK for Python that Debian ships (python3-azure).

Reads its world from the environment (KVR_TENANT, KVR_CLIENT_ID, KVR_CLIENT_SECRET, KVR_VAULT, KVR_OTHER_VAULT) and
reaches the emulator through HTTPS_PROXY, trusting REQUESTS_CA_BUNDLE. Prints one JSON line per operation:
{"op": name, "ok": true, ...facts} or {"op": name, "ok": false, "error": text}. Never prints a secret value.
"""
import base64
import datetime
import json
import os
import sys
import traceback

from azure.core.exceptions import ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.keyvault.certificates import CertificateClient, CertificatePolicy
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient

FAST = {"_polling_interval": 0.1}


def report(op, fn):
    try:
        facts = fn() or {}
        print(json.dumps({"op": op, "ok": True, **facts}), flush=True)
    except Exception as e:  # each operation reports its own failure; the next ones still run
        last = traceback.extract_tb(e.__traceback__)[-1]
        error = f"{type(e).__name__}: {e} ({last.filename}:{last.lineno})"
        print(json.dumps({"op": op, "ok": False, "error": error}), flush=True)


def url(vault):
    return f"https://{vault}.vault.azure.net"


def self_signed_pfx(password):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "python-import")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256())
    )
    algorithm = serialization.BestAvailableEncryption(password.encode())
    return pkcs12.serialize_key_and_certificates(b"python-import", key, cert, None, algorithm), cert


def secrets(credential, vault):
    client = SecretClient(url(vault), credential)
    state = {}

    def set_():
        first = client.set_secret("py-secret", "value-one")
        second = client.set_secret("py-secret", "value-two", content_type="text/plain")
        state["first"] = first.properties.version
        versions = [first.properties.version, second.properties.version]
        return {"versions": versions, "valueKept": second.value == "value-two"}

    def get():
        s = client.get_secret("py-secret")
        return {"valueMatches": s.value == "value-two", "contentType": s.properties.content_type}

    def get_version():
        s = client.get_secret("py-secret", state["first"])
        return {"valueMatches": s.value == "value-one", "version": s.properties.version}

    def list_():
        return {"names": sorted(p.name for p in client.list_properties_of_secrets())}

    def list_versions():
        return {"count": len(list(client.list_properties_of_secret_versions("py-secret")))}

    def update():
        p = client.update_secret_properties("py-secret", content_type="application/x-py", tags={"by": "python"})
        return {"contentType": p.content_type, "tags": p.tags}

    def delete():
        deleted = client.begin_delete_secret("py-secret", **FAST).result()
        return {"name": deleted.name, "hasRecoveryId": bool(deleted.recovery_id)}

    def get_deleted():
        d = client.get_deleted_secret("py-secret")
        return {"name": d.name, "scheduledPurge": d.scheduled_purge_date is not None}

    def recover():
        p = client.begin_recover_deleted_secret("py-secret", **FAST).result()
        return {"name": p.name, "readable": client.get_secret("py-secret").value == "value-two"}

    def delete_purge():
        client.begin_delete_secret("py-secret", **FAST).result()
        client.purge_deleted_secret("py-secret")
        try:
            client.get_deleted_secret("py-secret")
            return {"gone": False}
        except ResourceNotFoundError:
            return {"gone": True}

    for op, fn in [("secret.set", set_), ("secret.get", get), ("secret.getVersion", get_version),
                   ("secret.list", list_), ("secret.listVersions", list_versions), ("secret.updateProperties", update),
                   ("secret.delete", delete), ("secret.getDeleted", get_deleted), ("secret.recover", recover),
                   ("secret.deletePurge", delete_purge)]:
        report(op, fn)


def certificates(credential, vault):
    client = CertificateClient(url(vault), credential)

    def create():
        poller = client.begin_create_certificate("py-cert", CertificatePolicy.get_default(), **FAST)
        first = client.get_certificate_operation("py-cert").status
        cert = poller.result()
        last = client.get_certificate_operation("py-cert").status
        return {"statuses": [first, last], "hasCer": bool(cert.cer)}

    def get():
        c = client.get_certificate("py-cert")
        return {"name": c.name, "x509Thumbprint": bool(c.properties.x509_thumbprint), "enabled": c.properties.enabled}

    def list_():
        return {"names": sorted(p.name for p in client.list_properties_of_certificates())}

    def import_():
        pfx, cert = self_signed_pfx("py-password")
        imported = client.import_certificate("py-imported", pfx, password="py-password")
        from cryptography.hazmat.primitives import hashes
        return {"thumbprintMatches": imported.properties.x509_thumbprint == cert.fingerprint(hashes.SHA1())}

    def delete():
        d = client.begin_delete_certificate("py-imported", **FAST).result()
        return {"name": d.name, "hasRecoveryId": bool(d.recovery_id)}

    def recover():
        c = client.begin_recover_deleted_certificate("py-imported", **FAST).result()
        return {"name": c.name, "readable": client.get_certificate("py-imported").name == "py-imported"}

    for op, fn in [("certificate.create", create), ("certificate.get", get), ("certificate.list", list_),
                   ("certificate.import", import_), ("certificate.delete", delete), ("certificate.recover", recover)]:
        report(op, fn)


def keys(credential, vault, other_vault):
    client = KeyClient(url(vault), credential)
    other = KeyClient(url(other_vault), credential)
    state = {}

    def create():
        k = client.create_rsa_key("py-key", size=2048)
        return {"kty": k.key_type, "modulusBytes": len(k.key.n), "hasPrivate": bool(getattr(k.key, "d", None))}

    def get():
        k = client.get_key("py-key")
        return {"name": k.name, "kty": k.key_type}

    def list_():
        return {"names": sorted(p.name for p in client.list_properties_of_keys())}

    def backup():
        state["blob"] = client.backup_key("py-key")
        return {"bytes": len(state["blob"])}

    def restore():
        k = other.restore_key_backup(state["blob"])
        return {"name": k.name, "vault": k.properties.vault_url}

    def delete_purge():
        client.begin_delete_key("py-key", **FAST).result()
        client.purge_deleted_key("py-key")
        try:
            client.get_deleted_key("py-key")
            return {"gone": False}
        except ResourceNotFoundError:
            return {"gone": True}

    for op, fn in [("key.create", create), ("key.get", get), ("key.list", list_), ("key.backup", backup),
                   ("key.restore", restore), ("key.deletePurge", delete_purge)]:
        report(op, fn)


def main():
    env = os.environ
    credential = ClientSecretCredential(env["KVR_TENANT"], env["KVR_CLIENT_ID"], env["KVR_CLIENT_SECRET"])
    token = lambda: {"hasToken": bool(credential.get_token("https://vault.azure.net/.default").token)}
    report("credential.getToken", token)
    secrets(credential, env["KVR_VAULT"])
    certificates(credential, env["KVR_VAULT"])
    keys(credential, env["KVR_VAULT"], env["KVR_OTHER_VAULT"])


if __name__ == "__main__":
    sys.exit(main())
