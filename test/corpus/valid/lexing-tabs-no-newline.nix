let
	x = 1;
	y = {
		z = x;	# tab before comment
	};
in
	y