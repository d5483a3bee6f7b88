{ config, pkgs, lib, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/home/alice";
  home.stateVersion = "22.05";

  programs.git = {
    enable = true;
    userName = "Alice";
    userEmail = "alice@example.org";
    extraConfig = {
      init.defaultBranch = "main";
      pull.rebase = true;
      core.editor = "vim";
    };
    aliases = { co = "checkout"; st = "status -sb"; };
  };

  programs.bash = {
    enable = true;
    shellAliases = { ll = "ls -l"; ".." = "cd .."; };
    initExtra = ''
      export PATH="$HOME/.local/bin:$PATH"
      if [ -f ~/.bashrc.local ]; then . ~/.bashrc.local; fi
    '';
  };

  home.packages = with pkgs; [ ripgrep fd jq htop ];
  home.file.".config/nixkit/settings.json".text = builtins.toJSON {
    theme = "dark";
    fontSize = 13;
  };
  xdg.enable = true;
}
