{ config, ... }
  config.a