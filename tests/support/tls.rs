//! Certificates for the TLS tests, made by the test (rcgen): a CA, a server certificate it
//! signs for 127.0.0.1 and localhost, an expired one, and an unrelated CA.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, SanType,
};

/// The files of a small PKI.
pub struct Pki {
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub expired_cert: PathBuf,
    pub expired_key: PathBuf,
}

fn ca_params(name: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, name);
    p.not_before = date_time_ymd(2000, 1, 1);
    p.not_after = date_time_ymd(2100, 1, 1);
    p
}

fn server_params(not_after: (i32, u8, u8)) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::CommonName, "benchcmp test prometheus");
    p.subject_alt_names = vec![
        SanType::IpAddress("127.0.0.1".parse().unwrap()),
        SanType::DnsName("localhost".try_into().unwrap()),
    ];
    p.not_before = date_time_ymd(2000, 1, 1);
    p.not_after = date_time_ymd(not_after.0, not_after.1, not_after.2);
    p
}

/// Writes a PKI into `dir` (once per directory).
pub fn pki(dir: &Path) -> Pki {
    std::fs::create_dir_all(dir).unwrap();
    let files = Pki {
        ca: dir.join("ca.pem"),
        other_ca: dir.join("other-ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server-key.pem"),
        expired_cert: dir.join("expired.pem"),
        expired_key: dir.join("expired-key.pem"),
    };
    if files.expired_key.exists() {
        return files;
    }
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params("benchcmp test CA");
    std::fs::write(&files.ca, ca.self_signed(&ca_key).unwrap().pem()).unwrap();
    let issuer = Issuer::from_params(&ca, &ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = server_params((2100, 1, 1))
        .signed_by(&key, &issuer)
        .unwrap();
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    let old_key = KeyPair::generate().unwrap();
    let old = server_params((2001, 1, 1))
        .signed_by(&old_key, &issuer)
        .unwrap();
    std::fs::write(&files.expired_cert, old.pem()).unwrap();
    std::fs::write(&files.expired_key, old_key.serialize_pem()).unwrap();
    let other_key = KeyPair::generate().unwrap();
    let other = ca_params("some other CA").self_signed(&other_key).unwrap();
    std::fs::write(&files.other_ca, other.pem()).unwrap();
    files
}
