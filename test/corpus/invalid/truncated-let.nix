# A file cut off after `let`.
let
