//! The key exchanges Go offers that rustls's ring provider lacks, added through
//! rustls's key-exchange interface so that every connection made on go's behalf offers
//! go's groups with shares of go's sizes: the hybrid post-quantum groups
//! X25519MLKEM768, SecP256r1MLKEM768 and SecP384r1MLKEM1024
//! (draft-ietf-tls-ecdhe-mlkem: ML-KEM from RustCrypto's `ml-kem`, ECDH from ring) and
//! P-521 (RustCrypto's `p521`). A hybrid offers its ECDH half as a share of its own
//! too, as Go does with X25519 beside X25519MLKEM768.

use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::{B32, DecapsulationKey, EncapsulationKey, MlKem768, MlKem1024, Seed};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::crypto::ring::kx_group;
use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};

/// The code point of SecP384r1MLKEM1024, which rustls has no name for.
pub const SECP384R1_MLKEM1024_ID: u16 = 0x11ed;

/// X25519MLKEM768 (0x11EC): the ML-KEM-768 encapsulation key, then the X25519 share.
pub static X25519MLKEM768: &dyn SupportedKxGroup = &Hybrid {
    ecdh: kx_group::X25519,
    kem: &MlKem::<MlKem768>::GROUP,
    name: NamedGroup::X25519MLKEM768,
    ecdh_len: 32,
    kem_first: true,
};

/// SecP256r1MLKEM768 (0x11EB): the P-256 share, then the ML-KEM-768 encapsulation key.
pub static SECP256R1MLKEM768: &dyn SupportedKxGroup = &Hybrid {
    ecdh: kx_group::SECP256R1,
    kem: &MlKem::<MlKem768>::GROUP,
    name: NamedGroup::secp256r1MLKEM768,
    ecdh_len: 65,
    kem_first: false,
};

/// SecP384r1MLKEM1024 (0x11ED): the P-384 share, then the ML-KEM-1024 encapsulation key.
pub static SECP384R1MLKEM1024: &dyn SupportedKxGroup = &Hybrid {
    ecdh: kx_group::SECP384R1,
    kem: &MlKem::<MlKem1024>::GROUP,
    name: NamedGroup::Unknown(SECP384R1_MLKEM1024_ID),
    ecdh_len: 97,
    kem_first: false,
};

/// ECDH over P-521 (secp521r1), the last group Go offers.
pub static SECP521R1: &dyn SupportedKxGroup = &P521;

fn invalid_share() -> Error {
    Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare)
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::FailedToGetRandomBytes)?;
    Ok(bytes)
}

/// Turns a server's ciphertext into the shared secret.
type Decapsulator = Box<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync>;

/// One ML-KEM parameter set as a (half of a) key exchange: the client's share is the
/// encapsulation key, the server's the ciphertext.
trait KemParams: Send + Sync + 'static {
    fn generate() -> Result<(Vec<u8>, Decapsulator), Error>;
    fn encapsulate(client_share: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error>;
}

macro_rules! kem_params {
    ($kem:ty) => {
        impl KemParams for $kem {
            fn generate() -> Result<(Vec<u8>, Decapsulator), Error> {
                let seed = Seed::from(random::<64>()?);
                let dk = DecapsulationKey::<$kem>::from_seed(seed);
                let ek = dk.encapsulation_key().to_bytes().to_vec();
                let decapsulate = move |ct: &[u8]| -> Option<Vec<u8>> {
                    dk.decapsulate_slice(ct).ok().map(|k| k.to_vec())
                };
                Ok((ek, Box::new(decapsulate)))
            }

            fn encapsulate(client_share: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
                let key = client_share.try_into().map_err(|_| invalid_share())?;
                let ek = EncapsulationKey::<$kem>::new(key).map_err(|_| invalid_share())?;
                let (ct, k) = ek.encapsulate_deterministic(&B32::from(random::<32>()?));
                Ok((ct.to_vec(), k.to_vec()))
            }
        }
    };
}

kem_params!(MlKem768);
kem_params!(MlKem1024);

/// ML-KEM as the post-quantum half of a hybrid.
struct MlKem<P>(std::marker::PhantomData<P>);

impl<P> MlKem<P> {
    const GROUP: MlKem<P> = MlKem(std::marker::PhantomData);
}

impl<P> std::fmt::Debug for MlKem<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MlKem")
    }
}

/// The half of a key exchange that [`Hybrid`] combines: start (client) and
/// start-and-complete (server).
trait Half: Send + Sync + std::fmt::Debug {
    fn start_half(&self) -> Result<Box<dyn ActiveKeyExchange>, Error>;
    fn start_and_complete_half(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error>;
}

impl<P: KemParams> Half for MlKem<P> {
    fn start_half(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let (pub_key, decapsulate) = P::generate()?;
        Ok(Box::new(ActiveMlKem {
            pub_key,
            decapsulate,
        }))
    }

    fn start_and_complete_half(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error> {
        let (ct, secret) = P::encapsulate(client_share)?;
        Ok(CompletedKeyExchange {
            // Only the hybrid's name is ever seen by rustls.
            group: NamedGroup::Unknown(0),
            pub_key: ct,
            secret: SharedSecret::from(secret),
        })
    }
}

struct ActiveMlKem {
    pub_key: Vec<u8>,
    decapsulate: Decapsulator,
}

impl ActiveKeyExchange for ActiveMlKem {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        (self.decapsulate)(peer_pub_key)
            .map(SharedSecret::from)
            .ok_or_else(invalid_share)
    }

    fn pub_key(&self) -> &[u8] {
        &self.pub_key
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::Unknown(0)
    }
}

/// An ECDH group and an ML-KEM parameter set combined as draft-ietf-tls-ecdhe-mlkem
/// says: shares and secrets concatenated, ML-KEM first only for X25519MLKEM768.
#[derive(Debug)]
struct Hybrid {
    ecdh: &'static dyn SupportedKxGroup,
    kem: &'static dyn Half,
    name: NamedGroup,
    /// The length of the ECDH share (the same from client and server).
    ecdh_len: usize,
    kem_first: bool,
}

impl Hybrid {
    fn concat(&self, kem: &[u8], ecdh: &[u8]) -> Vec<u8> {
        if self.kem_first {
            [kem, ecdh].concat()
        } else {
            [ecdh, kem].concat()
        }
    }

    /// Splits a peer's share into its ML-KEM and ECDH parts.
    fn split<'a>(&self, share: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), Error> {
        if share.len() <= self.ecdh_len {
            return Err(invalid_share());
        }
        Ok(if self.kem_first {
            let (kem, ecdh) = share.split_at(share.len() - self.ecdh_len);
            (kem, ecdh)
        } else {
            let (ecdh, kem) = share.split_at(self.ecdh_len);
            (kem, ecdh)
        })
    }
}

impl SupportedKxGroup for Hybrid {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let ecdh = self.ecdh.start()?;
        let kem = self.kem.start_half()?;
        let pub_key = self.concat(kem.pub_key(), ecdh.pub_key());
        Ok(Box::new(ActiveHybrid {
            ecdh,
            kem,
            pub_key,
            name: self.name,
            ecdh_len: self.ecdh_len,
            kem_first: self.kem_first,
        }))
    }

    fn start_and_complete(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error> {
        let (kem_share, ecdh_share) = self.split(client_share)?;
        let ecdh = self.ecdh.start_and_complete(ecdh_share)?;
        let kem = self.kem.start_and_complete_half(kem_share)?;
        Ok(CompletedKeyExchange {
            group: self.name,
            pub_key: self.concat(&kem.pub_key, &ecdh.pub_key),
            secret: SharedSecret::from(
                self.concat(kem.secret.secret_bytes(), ecdh.secret.secret_bytes()),
            ),
        })
    }

    fn ffdhe_group(&self) -> Option<rustls::ffdhe_groups::FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        self.name
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

struct ActiveHybrid {
    ecdh: Box<dyn ActiveKeyExchange>,
    kem: Box<dyn ActiveKeyExchange>,
    pub_key: Vec<u8>,
    name: NamedGroup,
    ecdh_len: usize,
    kem_first: bool,
}

impl ActiveKeyExchange for ActiveHybrid {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        if peer_pub_key.len() <= self.ecdh_len {
            return Err(invalid_share());
        }
        let (kem_share, ecdh_share) = if self.kem_first {
            peer_pub_key.split_at(peer_pub_key.len() - self.ecdh_len)
        } else {
            let (ecdh, kem) = peer_pub_key.split_at(self.ecdh_len);
            (kem, ecdh)
        };
        let ecdh = self.ecdh.complete(ecdh_share)?;
        let kem = self.kem.complete(kem_share)?;
        let secret = if self.kem_first {
            [kem.secret_bytes(), ecdh.secret_bytes()].concat()
        } else {
            [ecdh.secret_bytes(), kem.secret_bytes()].concat()
        };
        Ok(SharedSecret::from(secret))
    }

    /// The ECDH half, offered as a share of its own (Go sends X25519 beside
    /// X25519MLKEM768 from the same key).
    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        Some((self.ecdh.group(), self.ecdh.pub_key()))
    }

    fn complete_hybrid_component(
        self: Box<Self>,
        peer_pub_key: &[u8],
    ) -> Result<SharedSecret, Error> {
        self.ecdh.complete(peer_pub_key)
    }

    fn pub_key(&self) -> &[u8] {
        &self.pub_key
    }

    fn ffdhe_group(&self) -> Option<rustls::ffdhe_groups::FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        self.name
    }
}

/// ECDH over P-521, which ring does not have.
#[derive(Debug)]
struct P521;

impl P521 {
    fn secret() -> Result<p521::SecretKey, Error> {
        // A uniformly random scalar: 521 random bits, retried in the rare case that
        // they reach the group order.
        loop {
            let mut bytes = random::<66>()?;
            bytes[0] &= 0x01;
            if let Ok(secret) = p521::SecretKey::from_slice(&bytes) {
                return Ok(secret);
            }
        }
    }

    fn agree(secret: &p521::SecretKey, peer: &[u8]) -> Result<SharedSecret, Error> {
        let peer = p521::PublicKey::from_sec1_bytes(peer).map_err(|_| invalid_share())?;
        let shared = p521::ecdh::diffie_hellman(secret.to_nonzero_scalar(), peer.as_affine());
        Ok(SharedSecret::from(&shared.raw_secret_bytes()[..]))
    }
}

impl SupportedKxGroup for P521 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let secret = P521::secret()?;
        let pub_key = secret.public_key().to_sec1_bytes().to_vec();
        Ok(Box::new(ActiveP521 { secret, pub_key }))
    }

    fn ffdhe_group(&self) -> Option<rustls::ffdhe_groups::FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

struct ActiveP521 {
    secret: p521::SecretKey,
    pub_key: Vec<u8>,
}

impl ActiveKeyExchange for ActiveP521 {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        P521::agree(&self.secret, peer_pub_key)
    }

    fn pub_key(&self) -> &[u8] {
        &self.pub_key
    }

    fn ffdhe_group(&self) -> Option<rustls::ffdhe_groups::FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Client and server halves of each group agree on the secret, and the shares
    /// have the sizes of draft-ietf-tls-ecdhe-mlkem.
    #[test]
    fn each_group_agrees_with_itself() {
        for (group, client_len, server_len) in [
            (X25519MLKEM768, 1216, 1120),
            (SECP256R1MLKEM768, 1249, 1153),
            (SECP384R1MLKEM1024, 1665, 1665),
            (SECP521R1, 133, 133),
        ] {
            let client = group.start().unwrap();
            assert_eq!(client.pub_key().len(), client_len, "{:?}", group.name());
            let server = group.start_and_complete(client.pub_key()).unwrap();
            assert_eq!(server.pub_key.len(), server_len, "{:?}", group.name());
            let secret = client.complete(&server.pub_key).unwrap();
            assert_eq!(
                secret.secret_bytes(),
                server.secret.secret_bytes(),
                "{:?}",
                group.name()
            );
        }
    }

    /// The X25519 half of X25519MLKEM768 is offered as a share of its own and
    /// completes alone, as a server that picks X25519 needs.
    #[test]
    fn hybrid_offers_its_x25519_half() {
        let client = X25519MLKEM768.start().unwrap();
        let (group, share) = client.hybrid_component().unwrap();
        assert_eq!(group, NamedGroup::X25519);
        assert_eq!(share, &client.pub_key()[1184..]);
        let server = kx_group::X25519.start_and_complete(share).unwrap();
        let secret = client.complete_hybrid_component(&server.pub_key).unwrap();
        assert_eq!(secret.secret_bytes(), server.secret.secret_bytes());
    }

    #[test]
    fn truncated_shares_are_refused() {
        let client = SECP256R1MLKEM768.start().unwrap();
        assert!(client.complete(&[4; 65]).is_err());
        assert!(X25519MLKEM768.start_and_complete(&[0; 100]).is_err());
    }
}
