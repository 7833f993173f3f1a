//! The audit checkpoint file and its signatures. Each line is `<time> SEQ:HASH`, followed,
//! when the server has a signing key (`--audit-checkpoint-key`), by `ed25519:<signature>`
//! over the rest of the line. Whoever keeps the file can then check with the public key
//! alone (`roster audit verify --checkpoint-file F --public-key K`) that every line was
//! written by the server and not forged or edited since, and the chain must hold them all.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use directory::audit_chain::ChainHead;
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use std::path::Path;

/// What a signature covers besides the line, so that it means nothing anywhere else.
const CONTEXT: &[u8] = b"roster audit checkpoint v1\n";
const PREFIX: &str = "ed25519:";

/// The server's signing key: a PKCS#8 Ed25519 key file, created (mode 0600) on first use,
/// with its public key written beside it as `<file>.pub`.
pub struct CheckpointSigner {
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CheckpointSigner({})", self.public_key())
    }
}

impl CheckpointSigner {
    /// Reads the key at `path`, or creates it there when no file exists.
    pub fn load_or_create(path: &Path) -> Result<Self> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => create_key(path)?,
            Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
        };
        let pair = Ed25519KeyPair::from_pkcs8(&bytes)
            .map_err(|_| anyhow!("{} is not an Ed25519 key in PKCS#8 form", path.display()))?;
        Ok(CheckpointSigner { pair })
    }

    /// The public key as `ed25519:<base64url>`, the form `--public-key` takes.
    pub fn public_key(&self) -> String {
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref()))
    }

    /// `line` (`<time> SEQ:HASH`) with its signature appended.
    pub fn sign(&self, line: &str) -> String {
        let signature = self.pair.sign(&[CONTEXT, line.as_bytes()].concat());
        format!("{line} {PREFIX}{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

/// Writes a new key to `path` (never over an existing file) and its public key beside it.
fn create_key(path: &Path) -> Result<Vec<u8>> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let document =
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| anyhow!("cannot generate a signing key"))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(document.as_ref())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    let signer =
        Ed25519KeyPair::from_pkcs8(document.as_ref()).map_err(|_| anyhow!("the new key does not read back"))?;
    let public = format!("{PREFIX}{}\n", URL_SAFE_NO_PAD.encode(signer.public_key().as_ref()));
    let public_path = path.with_extension(public_extension(path));
    std::fs::write(&public_path, public).with_context(|| format!("cannot write {}", public_path.display()))?;
    Ok(document.as_ref().to_vec())
}

/// `key` → `key.pub`, `key.pk8` → `key.pk8.pub`.
fn public_extension(path: &Path) -> String {
    match path.extension().and_then(|e| e.to_str()) {
        Some(extension) => format!("{extension}.pub"),
        None => "pub".to_owned(),
    }
}

/// A public key that checks signed lines.
#[derive(Debug, Clone)]
pub struct CheckpointVerifier {
    key: Vec<u8>,
}

impl CheckpointVerifier {
    /// `ed25519:<base64url>`, or the path of a file holding that (such as `<key>.pub`).
    pub fn parse(given: &str) -> Result<Self> {
        let text = match given.strip_prefix(PREFIX) {
            Some(_) => given.to_owned(),
            None => std::fs::read_to_string(given)
                .with_context(|| format!("--public-key: {given} is neither ed25519:<key> nor a readable file"))?,
        };
        let encoded = text
            .trim()
            .strip_prefix(PREFIX)
            .ok_or_else(|| anyhow!("--public-key: the key must start with {PREFIX}"))?;
        let key = URL_SAFE_NO_PAD
            .decode(encoded)
            .ok()
            .filter(|key| key.len() == 32)
            .ok_or_else(|| anyhow!("--public-key: not a 32-byte Ed25519 key in base64url"))?;
        Ok(CheckpointVerifier { key })
    }

    fn verify(&self, text: &str, signature: &str) -> bool {
        let Some(bytes) = signature
            .strip_prefix(PREFIX)
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        else {
            return false;
        };
        let message = [CONTEXT, text.as_bytes()].concat();
        UnparsedPublicKey::new(&ED25519, &self.key)
            .verify(&message, &bytes)
            .is_ok()
    }
}

/// The checkpoints of a file's lines (blank lines skipped). With a verifier, every line must
/// carry a signature it accepts; an error names the first line that does not.
pub fn read_checkpoints(text: &str, verifier: Option<&CheckpointVerifier>) -> Result<Vec<ChainHead>> {
    let mut heads = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let line_number = number + 1;
        let mut fields = line.split(' ');
        let (Some(at), Some(head), signature, None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            bail!("line {line_number}: expected `<time> SEQ:HASH [ed25519:<signature>]`");
        };
        let head = head
            .parse::<ChainHead>()
            .map_err(|error| anyhow!("line {line_number}: {error}"))?;
        if let Some(verifier) = verifier {
            let signed = signature.is_some_and(|signature| verifier.verify(&format!("{at} {head}"), signature));
            if !signed {
                bail!("line {line_number}: the signature is missing or does not match the public key");
            }
        }
        heads.push(head);
    }
    Ok(heads)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "2026-11-26T12:00:00Z 7:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    fn new_signer() -> (tempfile::TempDir, CheckpointSigner) {
        let dir = tempfile::tempdir().unwrap();
        let signer = CheckpointSigner::load_or_create(&dir.path().join("audit.key")).unwrap();
        (dir, signer)
    }

    #[test]
    fn a_new_key_is_private_and_its_public_half_lies_beside_it() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, signer) = new_signer();
        let mode = std::fs::metadata(dir.path().join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let public = std::fs::read_to_string(dir.path().join("audit.key.pub")).unwrap();
        assert_eq!(public.trim(), signer.public_key());
        let again = CheckpointSigner::load_or_create(&dir.path().join("audit.key")).unwrap();
        assert_eq!(again.public_key(), signer.public_key(), "an existing key is kept");
        let path = dir.path().join("audit.key.pub").display().to_string();
        assert!(CheckpointVerifier::parse(&path).is_ok());
        assert!(CheckpointSigner::load_or_create(&dir.path().join("audit.key.pub")).is_err());
    }

    #[test]
    fn signed_lines_verify_and_any_change_is_caught() {
        let (_dir, signer) = new_signer();
        let verifier = CheckpointVerifier::parse(&signer.public_key()).unwrap();
        let signed = signer.sign(LINE);
        let heads = read_checkpoints(&format!("{signed}\n\n"), Some(&verifier)).unwrap();
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].seq, 7);
        let edited = [
            signed.replacen(" 7:", " 8:", 1),
            signed.replacen("12:00", "12:01", 1),
            LINE.to_owned(),
            format!("{LINE} ed25519:AAAA"),
            format!("{signed} extra"),
        ];
        for line in edited {
            let error = read_checkpoints(&format!("{signed}\n{line}\n"), Some(&verifier)).unwrap_err();
            assert!(error.to_string().starts_with("line 2:"), "{line}: {error}");
        }
        let (_other_dir, other) = new_signer();
        let stranger = CheckpointVerifier::parse(&other.public_key()).unwrap();
        assert!(read_checkpoints(&signed, Some(&stranger)).is_err());
        assert_eq!(
            read_checkpoints(LINE, None).unwrap().len(),
            1,
            "unsigned files read without a key"
        );
    }

    #[test]
    fn bad_public_keys_are_refused_with_the_reason() {
        for bad in ["ed25519:", "ed25519:AAAA", "ed25519:not base64!", "/no/such/file"] {
            assert!(CheckpointVerifier::parse(bad).is_err(), "{bad}");
        }
    }
}
