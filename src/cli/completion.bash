# bash completion for fieldbook                                  -*- shell-script -*-
# Installed as share/bash-completion/completions/fieldbook.

_fieldbook_top()
{
	local d=$PWD
	while [[ -n $d ]]; do
		[[ -d $d/schemas && -d $d/records ]] && { echo "$d"; return; }
		d=${d%/*}
	done
}

_fieldbook_types()
{
	local top f
	top=$(_fieldbook_top) || return
	for f in "$top"/schemas/*.yaml; do
		f=${f##*/}
		[[ $f == _* || $f == '*.yaml' ]] || echo "${f%.yaml}"
	done
}

_fieldbook_records()
{
	local top t f
	top=$(_fieldbook_top) || return
	for t in $(_fieldbook_types); do
		[[ $1 == */* && ${1%%/*} != "$t" ]] && continue
		while IFS= read -r f; do
			f=${f##*/}
			echo "$t/${f%.yaml}"
		done < <(find "$top/records/$t" -name '*.yaml' ! -name '.*' 2>/dev/null)
	done
}

_fieldbook()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local global="-C --today --calendar --color --show-confidential --exact --no-cache --help --version"
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C|--today|--calendar|--color) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	-C) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--calendar) COMPREPLY=($(compgen -W "jalali gregorian" -- "$cur")); return ;;
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--format)
		case $cmd in
		show) COMPREPLY=($(compgen -W "yaml json" -- "$cur")) ;;
		query) COMPREPLY=($(compgen -W "table yaml json csv tsv ids" -- "$cur")) ;;
		audit) COMPREPLY=($(compgen -W "text json csv" -- "$cur")) ;;
		summary) COMPREPLY=($(compgen -W "text markdown json" -- "$cur")) ;;
		report) COMPREPLY=($(compgen -W "html markdown" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		esac
		return ;;
	--today|--at|--rev|--id|--set|-m|--message|--author|--since|--until|-n|--from|--weeks) return ;;
	--county)
		local top; top=$(_fieldbook_top) &&
			COMPREPLY=($(compgen -W "$(cd "$top/records/counties" 2>/dev/null && ls *.yaml 2>/dev/null | sed "s/\.yaml$//")" -- "$cur"))
		return ;;
	-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--schema) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "query show validate fmt schema new edit rm commit log diff blame audit summary plan report init hook status sync resolve help $global" -- "$cur"))
		return
	fi
	case $cmd in
	show) COMPREPLY=($(compgen -W "--at --format $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	query) COMPREPLY=($(compgen -W "-w -q -f -s -n -c -g --at --format --bom $global $(_fieldbook_types)" -- "$cur")) ;;
	validate) COMPREPLY=($(compgen -W "--rev --format --schema $global $(_fieldbook_types) $(_fieldbook_records "$cur")" -- "$cur")) ;;
	fmt) COMPREPLY=($(compgen -W "--check $global $(_fieldbook_types) $(_fieldbook_records "$cur")" -- "$cur")) ;;
	schema)
		if [[ $prev == export ]]; then
			COMPREPLY=($(compgen -W "$(_fieldbook_types)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "export" -- "$cur"))
		fi ;;
	new) COMPREPLY=($(compgen -W "--id --set --no-edit --commit $global $(_fieldbook_types)" -- "$cur")) ;;
	edit) COMPREPLY=($(compgen -W "--commit $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	rm) COMPREPLY=($(compgen -W "--commit --force $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	commit) COMPREPLY=($(compgen -W "-m --author --sign $global $(_fieldbook_types) $(_fieldbook_records "$cur")" -- "$cur")) ;;
	log) COMPREPLY=($(compgen -W "--since --until --author -n --format $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	diff) COMPREPLY=($(compgen -W "--format $global $(_fieldbook_types) $(_fieldbook_records "$cur")" -- "$cur")) ;;
	blame) COMPREPLY=($(compgen -W "--format $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	audit) COMPREPLY=($(compgen -W "--since --until --strict --format $global" -- "$cur")) ;;
	summary) COMPREPLY=($(compgen -W "--since --until --county --at --format $global" -- "$cur")) ;;
	plan) COMPREPLY=($(compgen -W "--from --weeks --format $global" -- "$cur")) ;;
	report) COMPREPLY=($(compgen -W "--since --until --format -o $global" -- "$cur")) ;;
	init) COMPREPLY=($(compgen -d -- "$cur")) ;;
	hook) COMPREPLY=($(compgen -W "install pre-commit pre-receive" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--format $global" -- "$cur")) ;;
	sync) COMPREPLY=($(compgen -W "--no-push $global $(git -C "$(_fieldbook_top)" remote 2>/dev/null)" -- "$cur")) ;;
	resolve) COMPREPLY=($(compgen -W "--ours --theirs --field $global $(_fieldbook_records "$cur")" -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "query show validate fmt schema new edit rm commit log diff blame audit summary plan report init hook status sync resolve" -- "$cur")) ;;
	esac
}
complete -F _fieldbook fieldbook
