let
  f = x: x;
  a = 1; b = 2; c = { d = 3; };
in {
  # '-' inside identifiers vs subtraction
  sub1 = a - b;
  sub2 = a -b;
  appNeg = f (-1);
  # '/' : division needs spaces, otherwise it is a path
  div = a / b;
  # selecting with spaces around '.'
  sel = c . d;
  # float right after a select is an application: f .5
  app = f .5;
  # keywords as prefixes of identifiers
  iff = 1; thenx = 2; elsewhere = 3; inherits = 4; letter = 5; rect = 6; within = 7; order = 8; assertion = 9;
  # 'or' as an identifier-like attribute
  o = { or = 1; }.or;
  # strings with things that look like code
  s = "${"{"}}}}";
  t = "}{";
  u = ''}{'';
  # a URI-looking string vs function application
  g = (x: x) 1;
  colonSpace = x: x;
  # comments adjacent to tokens
  n = 1/* c */+/* d */2;
  m = [1 2/**/3];
  # ellipsis-like
  dots = { ... }: 1;
  # nested interpolation in attribute names
  ${"x${"y"}"} = 10;
}
