"""``keras-gans zoo list`` and ``keras-gans zoo info NAME``."""

import json


def _list(args):
    from keras_gans import zoo

    names = zoo.list()
    if not names:
        print("No zoo entries found. Searched: " + ", ".join(str(p) for p in zoo.search_paths()))
        return 0
    width = max(len(n) for n in names)
    for name in names:
        try:
            task = zoo.info(name).get("task", "")
        except Exception as e:  # a broken entry must not hide the others
            task = f"(unreadable: {e})"
        print(f"{name:<{width}}  {task}")
    return 0


def _info(args):
    from keras_gans import zoo

    print(json.dumps(zoo.info(args.name), indent=2))
    return 0


def register(subparsers):
    p = subparsers.add_parser("zoo", help="list and describe the pretrained models")
    sub = p.add_subparsers(dest="zoo_command", metavar="ZOO_COMMAND")
    p_list = sub.add_parser("list", help="names (and tasks) of the entries found")
    p_list.set_defaults(func=_list)
    p_info = sub.add_parser("info", help="an entry's card data as JSON")
    p_info.add_argument("name", help="entry name or path to an entry folder")
    p_info.set_defaults(func=_info)
    p.set_defaults(func=lambda args: p.print_help() or 2)
