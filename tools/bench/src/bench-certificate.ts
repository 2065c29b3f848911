/**
 * A throwaway self-signed certificate (CN bench.attache.invalid, made with openssl
 * for these benchmarks) so TLS Hosts have well-formed Secrets. Never trust it.
 */
export const benchCertificatePem = `-----BEGIN CERTIFICATE-----
MIIBuzCCAWGgAwIBAgIUfsfTZhG66i0GJzdZCKco71xUeBgwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVYmVuY2guYXR0YWNoZS5pbnZhbGlkMCAXDTI2MTEyNzEzMDM0
M1oYDzIxMjYxMTAzMTMwMzQzWjAgMR4wHAYDVQQDDBViZW5jaC5hdHRhY2hlLmlu
dmFsaWQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQp2LWqxJ7qgveXVhg6xdyf
ZxeCIOusJ71yCcizcWFp5ijO9NvhTzL4t/uo79uIG23kQLGP/PetmR3xQFeWHAMA
o3cwdTAdBgNVHQ4EFgQU9/EIHAmHqAMySvweqCqJ/g67NvUwHwYDVR0jBBgwFoAU
9/EIHAmHqAMySvweqCqJ/g67NvUwDwYDVR0TAQH/BAUwAwEB/zAiBgNVHREEGzAZ
ghcqLmJlbmNoLmF0dGFjaGUuaW52YWxpZDAKBggqhkjOPQQDAgNIADBFAiEArsBg
MjjDh0Ypt3hkJWYTcIIHaeSMZTq88r0xv56LjFcCIGX9w0wpaWbqe3Pgk1F7wIO6
8vS/cKsBDmqvGVoJuNTV
-----END CERTIFICATE-----
`;

export const benchPrivateKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3lod9dy4HQo0Iwa8
QR3mNJPW38aThy/GyejQ/lpXlLWhRANCAAQp2LWqxJ7qgveXVhg6xdyfZxeCIOus
J71yCcizcWFp5ijO9NvhTzL4t/uo79uIG23kQLGP/PetmR3xQFeWHAMA
-----END PRIVATE KEY-----
`;
