# A `${…}` key binds no variable, even in a `rec` set: `web` is undefined.
{ name }:
rec {
  ${name} = { ip = "10.0.0.1"; };
  primary = web;
}
