// Signs a decision's record hash in the browser: the signer's key file (encrypted PKCS#8 PEM,
// PBES2 = PBKDF2 + AES-CBC, as `sandbox signers create` writes it) is decrypted here with the
// passphrase and the hash signed with WebCrypto's Ed25519. Neither the key nor the passphrase
// leaves the page: only the signature is put in the form.
"use strict";
(function () {
  const OID = {
    pbes2: "2a864886f70d01050d",
    pbkdf2: "2a864886f70d01050c",
    sha1: "2a864886f70d0207",
    sha256: "2a864886f70d0209",
    aes128: "608648016503040102",
    aes256: "60864801650304012a",
  };
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const fromHex = (text) => new Uint8Array(text.match(/../g).map((h) => parseInt(h, 16)));

  // One DER element at `at`: its tag, content bytes and where the next element starts.
  function element(bytes, at) {
    const tag = bytes[at];
    let length = bytes[at + 1];
    let start = at + 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
      start += count;
    }
    if (start + length > bytes.length) throw new Error("the key file is cut short");
    return { tag, body: bytes.subarray(start, start + length), end: start + length };
  }
  function children(bytes) {
    const out = [];
    for (let at = 0; at < bytes.length; ) {
      const e = element(bytes, at);
      out.push(e);
      at = e.end;
    }
    return out;
  }
  function pemBody(text) {
    const m = text.match(/-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]*?)-----END ENCRYPTED PRIVATE KEY-----/);
    if (!m) throw new Error("key file: not an encrypted private key (sandbox signers create writes one)");
    return Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  }

  // EncryptedPrivateKeyInfo -> the PBES2 parameters and the ciphertext.
  function parse(der) {
    const [algorithm, encrypted] = children(element(der, 0).body);
    const [scheme, params] = children(algorithm.body);
    if (hex(scheme.body) !== OID.pbes2) throw new Error("key file: not PBES2-encrypted");
    const [kdf, cipher] = children(params.body);
    const [kdfOid, kdfParams] = children(kdf.body);
    if (hex(kdfOid.body) !== OID.pbkdf2) throw new Error("key file: the key derivation is not PBKDF2");
    const parts = children(kdfParams.body);
    const salt = parts[0].body;
    const iterations = parts[1].body.reduce((n, b) => n * 256 + b, 0);
    const prf = parts.find((p) => p.tag === 0x30);
    const hash = prf && hex(children(prf.body)[0].body) === OID.sha256 ? "SHA-256" : "SHA-1";
    const [cipherOid, iv] = children(cipher.body);
    const bits = { [OID.aes256]: 256, [OID.aes128]: 128 }[hex(cipherOid.body)];
    if (!bits) throw new Error("key file: the cipher is not AES-CBC");
    return { salt, iterations, hash, bits, iv: iv.body, ciphertext: encrypted.body };
  }

  async function signHash(pemText, passphrase, hashHex) {
    const p = parse(pemBody(pemText));
    const subtle = window.crypto.subtle;
    const base = await subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, ["deriveKey"]);
    const aes = await subtle.deriveKey(
      { name: "PBKDF2", salt: p.salt, iterations: p.iterations, hash: p.hash },
      base, { name: "AES-CBC", length: p.bits }, false, ["decrypt"]);
    let pkcs8;
    try {
      pkcs8 = await subtle.decrypt({ name: "AES-CBC", iv: p.iv }, aes, p.ciphertext);
    } catch (e) {
      throw new Error("passphrase: wrong passphrase for this key file");
    }
    let key;
    try {
      key = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
    } catch (e) {
      throw new Error("passphrase: wrong passphrase, or not an Ed25519 signer key");
    }
    return hex(new Uint8Array(await subtle.sign({ name: "Ed25519" }, key, fromHex(hashHex))));
  }

  const button = document.getElementById("sign-button");
  const status = document.getElementById("sign-status");
  button.addEventListener("click", async () => {
    status.className = "";
    const file = document.getElementById("key_file").files[0];
    if (!file) {
      status.className = "error";
      status.textContent = "key file: choose the signer key file";
      return;
    }
    if (!window.crypto || !window.crypto.subtle) {
      status.className = "error";
      status.textContent = "this page needs HTTPS (or 127.0.0.1) for the browser's cryptography";
      return;
    }
    try {
      const signature = await signHash(await file.text(), document.getElementById("passphrase").value,
        button.dataset.hash);
      document.getElementById("signature").value = signature;
      document.getElementById("sign-form").submit();
    } catch (e) {
      status.className = "error";
      status.textContent = e.message;
    }
  });
})();
