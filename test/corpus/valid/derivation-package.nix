{ lib, stdenv, fetchFromGitHub, cmake, pkg-config, zlib, openssl }:

stdenv.mkDerivation rec {
  pname = "frobnicator";
  version = "1.2.3";

  src = fetchFromGitHub {
    owner = "example";
    repo = pname;
    rev = "v${version}";
    sha256 = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  };

  nativeBuildInputs = [ cmake pkg-config ];
  buildInputs = [ zlib openssl ];

  cmakeFlags = [ "-DENABLE_TESTS=OFF" "-DCMAKE_BUILD_TYPE=Release" ];

  postInstall = ''
    install -Dm644 ../LICENSE $out/share/licenses/${pname}/LICENSE
  '';

  meta = with lib; {
    description = "Frobnicates widgets";
    homepage = "https://github.com/example/frobnicator";
    license = licenses.mit;
    maintainers = [ ];
    platforms = platforms.linux;
  };
}
