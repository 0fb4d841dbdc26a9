#!/usr/bin/env python3
"""Collapsed stacks (async-profiler's `collapsed` output) -> a flame graph page and a text summary.

    python3 perf/scripts/flamegraph.py IN.collapsed OUT-prefix [title]

Writes OUT-prefix.html (a self-contained flame graph: SVG, hover for a frame's share, click to
zoom), OUT-prefix.collapsed.gz (the stacks with thread ids dropped, so the same stack on many
threads is one line) and OUT-prefix.txt (CPU share by thread group, top self frames, top frames
counting their callees), and prints the summary.
"""
import collections
import gzip
import html
import re
import sys

MIN_SHARE = 0.0005  # frames narrower than 0.05% of all samples are left out of the picture


def thread_group(frame):
    """'[n1@group-8EA9-SegmentedRaftLogWorker tid=7932]' -> 'n1@group-SegmentedRaftLogWorker'."""
    name = re.sub(r' tid=\d+\]$', '', frame).strip('[]')
    name = re.sub(r'group-[0-9A-F]{12}', 'group', name)
    return re.sub(r'[-#_ .]*\d+$', '', name)


def read(path):
    stacks = collections.Counter()
    for line in open(path, encoding='utf-8', errors='replace'):
        stack, _, n = line.rstrip('\n').rpartition(' ')
        if not stack or not n.isdigit():
            continue
        frames = stack.split(';')
        if frames[0].startswith('['):
            frames[0] = '[' + thread_group(frames[0]) + ']'
        stacks[tuple(frames)] += int(n)
    return stacks


def summary(stacks, title):
    total = sum(stacks.values()) or 1
    by_thread, self_, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
    for frames, n in stacks.items():
        by_thread[frames[0].strip('[]') if frames[0].startswith('[') else '(all)'] += n
        self_[frames[-1]] += n
        for f in set(frames[1:]):
            inclusive[f] += n
    out = [f'{title}', f'samples: {total}', '', 'CPU share by thread group:']
    out += [f'{100 * v / total:6.1f}%  {k}' for k, v in by_thread.most_common(15)]
    out += ['', 'top self frames (where the CPU is spent):']
    out += [f'{100 * v / total:6.1f}%  {k[:140]}' for k, v in self_.most_common(25)]
    out += ['', 'top frames with their callees (our code and the libraries; threads and JVM entry points left out):']
    ours = [(k, v) for k, v in inclusive.most_common() if '/' in k and not re.match(
        r'java/lang/Thread\.run|java/util/concurrent/ThreadPoolExecutor|io/netty/util/concurrent/FastThreadLocalRunnable|'
        r'io/netty/util/internal/ThreadExecutorMap|io/netty/util/concurrent/SingleThreadEventExecutor\$4', k)]
    out += [f'{100 * v / total:6.1f}%  {k[:140]}' for k, v in ours[:25]]
    return '\n'.join(out) + '\n'


def tree(stacks):
    root = {'n': 0, 'c': {}}
    for frames, n in stacks.items():
        node = root
        node['n'] += n
        for f in frames:
            node = node['c'].setdefault(f, {'n': 0, 'c': {}})
            node['n'] += n
    return root


def colour(name):
    if name.endswith('_[k]'):
        return '#e39b6d'  # kernel
    if name.startswith('['):
        return '#9fb5d6'  # thread
    if '/' in name or '.' in name and not name.startswith('_'):
        if name.startswith('dev/seckill'):
            return '#61c46e'  # ours
        return '#a6d96a' if name.startswith(('java/', 'jdk/', 'sun/')) else '#c7e9a0'
    return '#f4d35e'  # JVM and native code


def svg(root, title, width=1400, row=16):
    total = root['n'] or 1
    rects, depth_max = [], [0]

    def walk(node, name, x, depth):
        w = node['n'] / total
        if w < MIN_SHARE:
            return
        depth_max[0] = max(depth_max[0], depth)
        if name is not None:
            rects.append((x, depth, w, name, node['n']))
        cx = x
        for child_name, child in sorted(node['c'].items()):
            walk(child, child_name, cx, depth + (0 if name is None else 1))
            cx += child['n'] / total

    walk(root, None, 0.0, 0)
    height = (depth_max[0] + 2) * row + 30
    parts = [f'<svg id="fg" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="monospace" font-size="11">']
    for x, depth, w, name, n in rects:
        y = height - (depth + 1) * row - 10
        label = html.escape(name)
        text = html.escape(name if w * width > 60 else '')
        parts.append(f'<g data-x="{x:.6f}" data-w="{w:.6f}"><title>{label} ({100 * n / total:.2f}%, {n} samples)</title>'
                     f'<rect x="{x * width:.1f}" y="{y}" width="{max(w * width - 0.5, 0.5):.1f}" height="{row - 1}" '
                     f'fill="{colour(name)}" rx="2"/><text x="{x * width + 3:.1f}" y="{y + row - 4}" '
                     f'clip-path="inset(0 0 0 0)">{text[:int(w * width / 6.6)]}</text></g>')
    parts.append('</svg>')
    script = """<script>
// click a frame to widen it and what it calls to the full width; click the page title to reset
const W = %d, svg = document.getElementById('fg');
function zoom(x0, w0) {
  for (const g of svg.querySelectorAll('g')) {
    const x = (+g.dataset.x - x0) / w0, w = +g.dataset.w / w0, r = g.querySelector('rect'), t = g.querySelector('text');
    const inside = x >= -1e-9 && x + w <= 1 + 1e-9;
    g.style.display = inside ? '' : 'none';
    if (!inside) continue;
    r.setAttribute('x', x * W); r.setAttribute('width', Math.max(w * W - 0.5, 0.5));
    t.setAttribute('x', x * W + 3);
    const name = g.querySelector('title').textContent.replace(/ \\([^)]*\\)$/, '');
    t.textContent = w * W > 60 ? name.slice(0, Math.floor(w * W / 6.6)) : '';
  }
}
svg.addEventListener('click', e => { const g = e.target.closest('g'); if (g) zoom(+g.dataset.x, +g.dataset.w); });
document.getElementById('reset').addEventListener('click', () => zoom(0, 1));
</script>""" % width
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>' + html.escape(title) + '</title>'
            '<style>body{font-family:sans-serif;margin:10px} g:hover rect{stroke:#000;stroke-width:0.7}</style></head><body>'
            f'<h3 id="reset" style="cursor:pointer">{html.escape(title)}</h3>'
            '<p>Width: share of CPU samples; bottom: threads, up: what each calls. Green: Java (dark: ours), yellow: JVM/native, '
            'orange: kernel. Hover a frame for its share; click to zoom; click the title to reset. '
            f'Frames under {MIN_SHARE * 100:.2f}% are left out.</p>' + '\n'.join(parts) + script + '</body></html>\n')


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, prefix = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else src
    stacks = read(src)
    if not stacks:
        sys.exit(f'no stacks in {src}')
    text = summary(stacks, title)
    open(prefix + '.txt', 'w').write(text)
    open(prefix + '.html', 'w').write(svg(tree(stacks), title))
    with gzip.open(prefix + '.collapsed.gz', 'wt') as z:
        for frames, n in sorted(stacks.items()):
            z.write(';'.join(frames) + ' ' + str(n) + '\n')
    sys.stdout.write(text)
    print(f'\nflame graph: {prefix}.html  stacks: {prefix}.collapsed.gz  summary: {prefix}.txt')


if __name__ == '__main__':
    main()
