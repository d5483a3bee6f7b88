{ pkgs, ... }:
{
  users.mutableUsers = false;
  users.groups.media = { gid = 990; };
  users.users = {
    root.hashedPassword = "!";
    bob = {
      isNormalUser = true;
      uid = 1001;
      extraGroups = [ "wheel" "media" "docker" ];
      shell = pkgs.zsh;
      openssh.authorizedKeys.keys = [
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0b1234567890abcdefghijklmnopqrstuvwxyz bob@laptop"
      ];
      hashedPassword = "$6$rounds=656000$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ./";
    };
  };
  security.sudo.wheelNeedsPassword = false;
  programs.zsh.enable = true;
}
