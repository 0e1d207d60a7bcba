# layers.sh - an image's layers as an overlay's lowerdir: the one place that
# knows their order. Used by run (containers.sh: the container's root), by
# build (images.sh: each RUN and COPY step over the image so far) and by
# save (oci.sh: the image's layers, checked).
# shellcheck shell=bash
#
# An image is a base root filesystem and layers listed bottom to top in its
# record (images.sh). overlayfs wants them the other way: in a lowerdir
# "a:b:c" the leftmost directory shadows the ones after it, so the TOPMOST
# layer comes first and the base last. The original course code got this
# backwards, so the base hid every change a layer made.

# Sourced once however many libs use it (see conductor.sh).
[[ -z ${DL_LIB_LAYERS:-} ]] || return 0
DL_LIB_LAYERS=1

# layers_lowerdir BASE [KEY...]: set LOWERDIR to the overlay lowerdir for a
# base rootfs and layers given bottom to top (as an image file lists them):
# topmost first, base last (see above). The result is set, not printed:
# $(layers_lowerdir ...) would fork.
layers_lowerdir() {
	local base=$1 i dirs=()
	shift
	local keys=("$@")
	# BEGIN SOLUTION 3.1: set LOWERDIR: the layers' diff directories topmost first, the base last, joined with ":" (overlayfs lowerdir)
	for ((i = ${#keys[@]} - 1; i >= 0; i--)); do
		dirs+=("$LAYERDIR/${keys[i]}/diff")
	done
	dirs+=("$BASEDIR/$base")
	local IFS=:
	# shellcheck disable=SC2034 # the result, for the caller
	LOWERDIR="${dirs[*]}"
	# END SOLUTION
}

# image_lowerdirs IMAGE: set LOWERDIR to the lowerdir of an image, after
# checking that its base and every layer exist (and that their names cannot
# point elsewhere). The image's record is left in STATE.
image_lowerdirs() {
	local base key keys=()
	state_read "$IMAGEDIR/$1/image"
	base=${STATE[base]:-}
	[[ $base =~ ^[a-z0-9]+-[a-z0-9._]+$ && -d $BASEDIR/$base ]] ||
		die "image '$1' needs the base '$base', which is missing: rebuild it with 'conductor.sh build $1'"
	read -r -a keys <<<"${STATE[layers]:-}"
	for key in "${keys[@]}"; do
		[[ $key =~ ^[A-Za-z0-9_-][A-Za-z0-9_.-]*$ && -d $LAYERDIR/$key/diff ]] ||
			die "image '$1' needs the layer '$key', which is missing: rebuild it with 'conductor.sh build $1'"
	done
	layers_lowerdir "$base" "${keys[@]}"
}
