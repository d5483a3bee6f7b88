builtins.import 1
