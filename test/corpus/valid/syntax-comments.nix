# leading comment
/* block
   comment */
{ /* inside */ a /* between */ = /* before value */ 1 /* after */; # end of line
  # full line
  b = [ 1 # one
        2 /* two */ 3 ];
  /**/ c = 2; /***/
  d = /* * stars ** inside */ 3;
  e = "# not a comment";
  f = 4; /* a comment with a # hash and " quote */
  # comment with trailing spaces   
  g = 5;
} # final
