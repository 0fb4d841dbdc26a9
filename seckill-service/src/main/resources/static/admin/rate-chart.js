// A small line chart of per-second counts on a canvas: one line per series, the x axis a fixed
// window of seconds ending now, the y axis from zero to a round number above the highest point.
// Own code on purpose: the dashboard fetches nothing from the internet.
"use strict";

const RateChart = (() => {
  // 1, 2, 5, 10, 20, 50, ... : the smallest such step that gives at most `ticks` intervals
  function niceStep(max, ticks) {
    const raw = max / ticks;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) {
      if (m * mag >= raw) return m * mag;
    }
    return 10 * mag;
  }

  function formatCount(v) {
    if (v >= 1e6) return (v / 1e6).toFixed(v % 1e6 === 0 ? 0 : 1) + "M";
    if (v >= 1e3) return (v / 1e3).toFixed(v % 1e3 === 0 ? 0 : 1) + "k";
    return String(v);
  }

  /**
   * @param canvas  the canvas element (its CSS size is used, sharp on high-DPI screens)
   * @param window  {firstSecond, length, windowSeconds, series: {name: [count per second]}}
   * @param styles  {name: {color, width}}; series missing here are drawn grey
   * @param order   names in drawing order (later ones on top)
   */
  function draw(canvas, window, styles, order) {
    const dpr = globalThis.devicePixelRatio || 1;
    const cssW = canvas.clientWidth;
    const cssH = canvas.clientHeight;
    if (canvas.width !== Math.round(cssW * dpr) || canvas.height !== Math.round(cssH * dpr)) {
      canvas.width = Math.round(cssW * dpr);
      canvas.height = Math.round(cssH * dpr);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, cssH);

    const pad = {left: 48, right: 12, top: 10, bottom: 24};
    const w = cssW - pad.left - pad.right;
    const h = cssH - pad.top - pad.bottom;
    const span = window.windowSeconds;
    // x position of the i-th recorded second; the newest recorded second sits at the right edge
    const offset = span - window.length;
    const x = (i) => pad.left + ((offset + i) / Math.max(1, span - 1)) * w;

    let max = 0;
    for (const name of order) {
      for (const v of window.series[name] || []) max = Math.max(max, v);
    }
    const step = niceStep(Math.max(max, 4), 4);
    const top = Math.ceil(Math.max(max, 1) / step) * step;
    const y = (v) => pad.top + h - (v / top) * h;

    // grid: horizontal lines with counts, vertical ones every minute
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#2a3542";
    ctx.fillStyle = "#8b98a5";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let v = 0; v <= top + 1e-9; v += step) {
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, yy);
      ctx.lineTo(pad.left + w, yy);
      ctx.stroke();
      ctx.fillText(formatCount(v) + "/s", pad.left - 6, yy);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (let s = 0; s <= span; s += 60) {
      const xx = Math.round(pad.left + (1 - s / span) * w) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xx, pad.top);
      ctx.lineTo(xx, pad.top + h);
      ctx.stroke();
      ctx.fillText(s === 0 ? "now" : "-" + s / 60 + " min", xx, pad.top + h + 6);
    }

    if (window.length === 0) {
      ctx.fillStyle = "#8b98a5";
      ctx.textBaseline = "middle";
      ctx.fillText("collecting…", pad.left + w / 2, pad.top + h / 2);
      return;
    }

    // series with nothing in the window stay off the chart (their legend says 0)
    ctx.lineJoin = "round";
    for (const name of order) {
      const values = window.series[name];
      if (!values || !values.some((v) => v > 0)) continue;
      const style = styles[name] || {color: "#8b98a5", width: 1.5};
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.beginPath();
      values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
      ctx.stroke();
      if (style.fill) {
        // a light area under the main line, so its volume reads at a glance
        ctx.lineTo(x(values.length - 1), y(0));
        ctx.lineTo(x(0), y(0));
        ctx.closePath();
        ctx.globalAlpha = 0.18;
        ctx.fillStyle = style.color;
        ctx.fill();
        ctx.globalAlpha = 1;
      }
    }
  }

  return {draw, niceStep};
})();
