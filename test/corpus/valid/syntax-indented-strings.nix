let
  name = "nixkit";
in {
  simple = ''
    hello
      indented
    world
  '';
  escapes = ''
    dollar: ''${name}
    quotes: '''
    tab: ''\t
    newline: ''\n
    backslash-x: ''\x
    lone quote: it's fine
    lone dollar: $ and $$
  '';
  interp = ''
    name=${name}
    nested=${"inner ${name}"}
    ind=${''deep ${name}''}
  '';
  empty = '''';
  oneLine = ''just one line'';
  trailingDollar = ''cost: $'';
  shell = ''
    if [ -n "$HOME" ]; then
      echo "''${HOME}"
    fi
    for f in *.nix; do echo "$f"; done
  '';
}
