{
  a = https://example.org/foo.tar.gz;
  b = http://x.org/a?b=c&d=e;
  c = mirror://gnu/hello/hello-2.12.tar.gz;
  d = git+ssh://git@github.com:NixOS/nix.git;
  e = urn:isbn:0451450523;
  f = ftp://ftp.gnu.org/;
}
