{ config, ... } = {
  a = 1;
}